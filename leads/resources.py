"""django-import-export resources: what the admin's CSV/XLSX exports contain."""

from __future__ import annotations

from import_export import fields, resources

from . import models


class MunicipioResource(resources.ModelResource):
    class Meta:
        model = models.Municipio
        exclude = ["sede"]


class CnaeResource(resources.ModelResource):
    segmento = fields.Field(attribute="segmento__nome", column_name="segmento")

    class Meta:
        model = models.Cnae
        fields = ["subclasse", "descricao", "classe", "grupo", "divisao", "secao", "segmento", "alias_de"]


class PontoNotavelResource(resources.ModelResource):
    lat = fields.Field(column_name="lat")
    lon = fields.Field(column_name="lon")

    class Meta:
        model = models.PontoNotavel
        exclude = ["geom"]

    def dehydrate_lat(self, obj: models.PontoNotavel) -> float | None:
        return obj.geom.y if obj.geom else None

    def dehydrate_lon(self, obj: models.PontoNotavel) -> float | None:
        return obj.geom.x if obj.geom else None


class LeadBrutoResource(resources.ModelResource):
    class Meta:
        model = models.LeadBruto
        exclude = ["geom", "codigos_desconhecidos"]
