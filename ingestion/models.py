"""Import bookkeeping: one `intel_lead.import_status` row per imported file and layer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from leads.fields import EnumField
from leads.models import Camada, Distribuidora, StatusImportacao, table


class ImportStatus(models.Model):
    distribuidora = models.ForeignKey(Distribuidora, on_delete=models.PROTECT, db_index=False)
    ano = models.SmallIntegerField()
    camada = EnumField(max_length=6, choices=Camada.choices, enum_type="camada_enum")
    status = EnumField(
        max_length=9,
        enum_type="status_enum",
        choices=StatusImportacao.choices,
        default=StatusImportacao.PENDING,
        db_default="pending",
    )
    arquivo = models.CharField("arquivo de origem", max_length=500)
    sha256 = models.CharField(max_length=64, blank=True, db_default="")
    item_id = models.CharField(
        "item do catálogo ANEEL", max_length=32, blank=True, db_default="", help_text="ArcGIS item id, when downloaded"
    )
    linhas_lidas = models.BigIntegerField(default=0, db_default=0)
    linhas_inseridas = models.BigIntegerField(default=0, db_default=0)
    linhas_mescladas = models.BigIntegerField(default=0, db_default=0)
    linhas_rejeitadas = models.BigIntegerField(default=0, db_default=0)
    relatorio = models.JSONField(
        "relatório", default=dict, db_default={}, blank=True, help_text="unknown codes, key used, location routes"
    )
    erro = models.TextField(blank=True, db_default="")
    iniciado_em = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True, db_default="", help_text="host:pid of the last worker")
    batimento_em = models.DateTimeField(
        "último sinal", null=True, blank=True, help_text="written every few seconds while the import runs"
    )
    tentativa = models.SmallIntegerField(default=1, db_default=1)
    historico = models.JSONField(
        "histórico", default=list, db_default=[], blank=True, help_text="started, worker lost, queued again, ended"
    )
    reenvio = models.JSONField(
        default=dict,
        db_default={},
        blank=True,
        help_text="the Celery task's id and the rest of its chain, to send again when its worker is lost",
    )
    finalizado_em = models.DateTimeField(null=True, blank=True)
    criado_em = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = table("import_status")
        ordering = ["-criado_em"]
        verbose_name = "importação"
        verbose_name_plural = "importações"
        indexes = [models.Index(fields=["distribuidora", "ano", "camada"], name="import_status_dist_ano_cam_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(linhas_lidas__gte=0)
                & models.Q(linhas_inseridas__gte=0)
                & models.Q(linhas_mescladas__gte=0)
                & models.Q(linhas_rejeitadas__gte=0),
                name="import_status_contagens_nao_negativas",
            ),
            models.CheckConstraint(condition=models.Q(tentativa__gte=1), name="import_status_tentativa_positiva"),
        ]

    def __str__(self) -> str:
        return f"{self.camada} {self.distribuidora_id}/{self.ano}: {self.status}"

    @property
    def duracao_s(self) -> float | None:
        if self.iniciado_em and self.finalizado_em:
            return (self.finalizado_em - self.iniciado_em).total_seconds()
        return None


class TarefaFila(models.Model):
    """A Celery job a user queued (a dispatch, a catalog import, a summary refresh): its status URL
    answers its owner alone."""

    id = models.CharField("tarefa", primary_key=True, max_length=36)  # the Celery task id
    dono = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tarefas_fila")
    tipo = models.CharField(max_length=40)
    criada_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tarefa na fila"
        verbose_name_plural = "tarefas na fila"
        indexes = [models.Index(fields=["dono", "-criada_em"])]

    def __str__(self) -> str:
        return f"{self.tipo} {self.id}"
