from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from rest_framework import serializers

from ingestion.models import ImportStatus


def data_path(arquivo: str) -> str:
    """How a client sees an imported file: its path under DATA_DIR, else its name (never where it lies
    on the server)."""
    path, root = Path(arquivo), Path(settings.DATA_DIR).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else path.name


def without_server_paths(text: str) -> str:
    """A message with DATA_DIR's absolute prefix dropped (paths read relative to it) and any other
    absolute path to a file reduced to the file's name."""
    root = f"{Path(settings.DATA_DIR).resolve()}/"
    text = text.replace(root, "")
    return re.sub(r"(?<![\w.])/(?:[^\s/:'\"]+/)+([^\s/:'\"]+)", r"\1", text)


class ImportStatusSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    duracao_s = serializers.FloatField(read_only=True, allow_null=True)
    arquivo = serializers.SerializerMethodField(help_text="the file's path under DATA_DIR (or its name)")

    erro = serializers.SerializerMethodField(help_text="why the layer failed, paths told under DATA_DIR")

    def get_arquivo(self, obj: ImportStatus) -> str:
        return data_path(obj.arquivo)

    def get_erro(self, obj: ImportStatus) -> str:
        return without_server_paths(obj.erro or "")

    class Meta:
        model = ImportStatus
        fields = [
            "id", "distribuidora", "ano", "camada", "status", "arquivo", "sha256", "item_id", "linhas_lidas",
            "linhas_inseridas", "linhas_mescladas", "linhas_rejeitadas", "relatorio", "erro", "iniciado_em",
            "finalizado_em", "criado_em", "duracao_s", "batimento_em", "tentativa",
        ]  # fmt: skip


class ImportRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Start an import: a file the workers can read (`arquivo`) or an ANEEL catalog item (`item_id`)."""

    arquivo = serializers.CharField(
        required=False, help_text="a .gdb folder or .gdb.zip under the workers' DATA_DIR (a path relative to it)"
    )
    item_id = serializers.CharField(required=False, help_text="32-hex ArcGIS item id (see bdgd_catalog)")
    camadas = serializers.ListField(
        child=serializers.ChoiceField(choices=["PONNOT", "UCAT", "UCMT", "UCBT"]), required=False
    )
    force = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("arquivo")) == bool(attrs.get("item_id")):
            raise serializers.ValidationError("give either arquivo or item_id")
        if attrs.get("item_id") and not re.fullmatch(r"[0-9a-f]{32}", attrs["item_id"]):
            raise serializers.ValidationError({"item_id": "32 hexadecimal digits"})
        if attrs.get("arquivo"):
            if not Path(attrs["arquivo"]).name.lower().endswith((".gdb", ".gdb.zip")):
                raise serializers.ValidationError({"arquivo": "a .gdb folder or a .gdb.zip"})
            # Confined to DATA_DIR, after resolving ".." and symlinks: a request never names another file.
            root = Path(settings.DATA_DIR).resolve()
            resolved = (root / attrs["arquivo"]).resolve()
            if not resolved.is_relative_to(root):
                raise serializers.ValidationError(
                    {"arquivo": "fora do diretório de dados (DATA_DIR): informe um caminho relativo a ele"}
                )
            attrs["arquivo"] = str(resolved)
        return attrs
