"""django-import-export resources: what the admin's CSV/XLSX exports contain."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from import_export import fields, resources, widgets

from . import models, selectors


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


def _lead_resource() -> type[resources.ModelResource]:
    """The admin's unit export: the API's export columns (codes with descriptions, place names, the final
    coordinate in WGS 84, sim/não), identifiers as text, computed by the database in one query."""

    def filter_export(self: resources.ModelResource, queryset: QuerySet[Any], **kwargs: Any) -> QuerySet[Any]:
        return selectors.export_annotated(queryset)

    attributes: dict[str, Any] = {
        column.header: fields.Field(
            attribute=f"x_{column.header}",
            column_name=column.header,
            widget=widgets.FloatWidget(coerce_to_string=False) if column.kind == "number" else widgets.Widget(),
        )
        for column in selectors.EXPORT_FIELDS
    }
    attributes["filter_export"] = filter_export
    attributes["Meta"] = type("Meta", (), {"model": models.LeadBruto, "fields": selectors.EXPORT_COLUMNS})
    return type("LeadBrutoResource", (resources.ModelResource,), attributes)


LeadBrutoResource = _lead_resource()
