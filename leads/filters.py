"""Filters of the unit lists (API, GeoJSON, exports): django-filter over lead_bruto.

No value is ever ignored: a boolean accepts the spellings people use (true/false, 1/0, sim/não) and
refuses anything else; a code filter matches case-insensitively, takes several values (`classe=CO1,CO2`
or `classe=CO1&classe=CO2`) and refuses an unknown code naming those that exist. Messages are in
Portuguese, as the rest of the API (LANGUAGE_CODE pt-br).

Geography filters act on the unit's final coordinate (`coordenada`, written by the importer: its own
point, else its notable point, else its transformer), which has a GiST index.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import django_filters as df
from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.contrib.gis.measure import D
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices

from . import models

MAX_POLYGON_VERTICES = 10_000
# Brazil's bounding box is about 40° × 40°: an area beyond it is a mistake (swapped axes, a world polygon).
MAX_POLYGON_AREA_DEG2 = 2_000
ANO_MIN, ANO_MAX = 2000, 2100  # reference years accepted by every `ano` parameter
MAX_RADIUS_M = 500_000
# An unknown code lists the codes that exist when there are at most this many; else it names the endpoint.
MAX_CODES_LISTED = 60

TRUE_WORDS = frozenset({"true", "1", "sim", "s", "yes", "y", "verdadeiro", "t"})
FALSE_WORDS = frozenset({"false", "0", "nao", "n", "no", "falso", "f"})
BOOLEAN_HELP = "true/false, 1/0 ou sim/não"
# Common names of the voltage groups: Grupo A is medium and high voltage, Grupo B low voltage.
GRUPO_TENSAO_ALIASES = {"A": ("MT", "AT"), "B": ("BT",)}
UFS = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE", "PI", "PR",
    "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip


def ascii_digits(text: str) -> bool:
    """Only 0-9 (str.isdigit also takes '²' or '٣', which int() then refuses)."""
    return re.fullmatch(r"[0-9]+", text) is not None


def fold(text: str) -> str:
    """Lower case without accents: how names and spellings are compared ('Não' == 'nao')."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.strip().lower()) if not unicodedata.combining(c))


class StrictBooleanField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        word = fold(str(value))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(f"{value!r} não é um valor booleano: use {BOOLEAN_HELP}", code="invalid")


class StrictBooleanFilter(df.Filter):
    """A boolean that refuses what it does not understand (django-filter's own ignores it)."""

    field_class = StrictBooleanField


class MultiValueWidget(forms.TextInput):
    """Every value of a repeated parameter, each split at commas: `a,b&c` → [a, b, c]."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str] | None:
        raw: Sequence[Any] = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [part.strip() for item in raw if item is not None for part in str(item).split(",")]
        values = [v for v in values if v]
        return values or None


class MultiValueField(forms.Field):
    widget = MultiValueWidget

    def to_python(self, value: Any) -> list[str] | None:
        if not value:
            return None
        return [value] if isinstance(value, str) else list(value)


class MultiValueFilter(df.Filter):
    """Several values: repeated, comma-separated, or both."""

    field_class = MultiValueField


class CodeFilter(MultiValueFilter):
    """One or several codes of a domain. `choices()` maps every accepted spelling, folded, to the codes it
    selects (a code to itself, an alias such as grupo_tensao `A` to MT and AT)."""

    def __init__(
        self, *args: Any, choices: Callable[[], dict[str, tuple[Any, ...]]], endpoint: str | None = None, **kwargs: Any
    ) -> None:
        self.choices = choices
        self.endpoint = endpoint
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: list[str] | None) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": resolve(value, self.choices(), self.endpoint)})


def resolve(value: list[str], known: dict[str, tuple[Any, ...]], endpoint: str | None = None) -> list[Any]:
    """The codes the given spellings stand for; ValidationError names any unknown one."""
    unknown = [item for item in value if fold(item) not in known]
    if unknown:
        raise ValidationError(unknown_message(unknown, known, endpoint))
    return sorted({code for item in value for code in known[fold(item)]})


def unknown_message(unknown: Iterable[str], known: dict[str, tuple[Any, ...]], endpoint: str | None) -> str:
    given = ", ".join(repr(u) for u in unknown)
    codes = sorted({str(code) for hits in known.values() for code in hits})
    if endpoint is None or len(codes) <= MAX_CODES_LISTED:
        return f"valor desconhecido: {given}; os válidos são {', '.join(codes)}"
    return f"valor desconhecido: {given}; os válidos estão em /api/v1/dominios/{endpoint}/"


def _codes(values: Iterable[Any]) -> dict[str, tuple[Any, ...]]:
    return {fold(str(v)): (v,) for v in values}


def _choices(enum: type[TextChoices], exclude: Sequence[str] = ()) -> Callable[[], dict[str, tuple[Any, ...]]]:
    return lambda: _codes(v for v in enum.values if v not in exclude)


def _ufs() -> dict[str, tuple[Any, ...]]:
    return _codes(UFS)


def _distribuidoras() -> dict[str, tuple[Any, ...]]:
    rows = list(models.Distribuidora.objects.values_list("cod_aneel", "nome"))
    return {**{fold(nome): (cod,) for cod, nome in rows}, **_codes(cod for cod, _ in rows)}


def _classes() -> dict[str, tuple[Any, ...]]:
    """Subclass codes (CO1), and a class's two letters (CO, RE, RU, PP, SP) for all its subclasses."""
    codes = list(models.ClasseConsumo.objects.values_list("codigo", flat=True))
    known = _codes(codes)
    classes: dict[str, list[str]] = {}
    for code in codes:
        prefix = fold(code[:2])
        if len(code) > 2 and prefix.isalpha() and prefix not in known:
            classes.setdefault(prefix, []).append(code)
    return {**known, **{prefix: tuple(members) for prefix, members in classes.items()}}


def _grupos_tensao() -> dict[str, tuple[Any, ...]]:
    known = _codes(models.GrupoTensao.objects.values_list("codigo", flat=True))
    for alias, codes in GRUPO_TENSAO_ALIASES.items():
        known.setdefault(fold(alias), tuple(c for c in codes if fold(c) in known))
    return known


def _grupos_tarifarios() -> dict[str, tuple[Any, ...]]:
    return _codes(models.GrupoTarifario.objects.values_list("codigo", flat=True))


def _segmentos() -> dict[str, tuple[Any, ...]]:
    rows = list(models.SegmentoMercado.objects.values_list("codigo", "nome"))
    return {**{fold(nome): (cod,) for cod, nome in rows}, **_codes(cod for cod, _ in rows)}


# Receita's porte codes and the names people use for them.
PORTES: dict[str, tuple[Any, ...]] = {
    "0": (0,), "00": (0,), "nao_informado": (0,), "1": (1,), "01": (1,), "micro": (1,), "me": (1,),
    "3": (3,), "03": (3,), "epp": (3,), "pequeno": (3,), "5": (5,), "05": (5,), "demais": (5,),
}  # fmt: skip


def _resultados() -> dict[str, tuple[Any, ...]]:
    """success/partial/failed, and their Portuguese labels."""
    return {**_codes(models.Resultado.values), **{fold(str(r.label)): (r.value,) for r in models.Resultado}}


def identidade_condition(condition: Q) -> Exists:
    """Units whose identity (lead_identidade, unless staff rejected it) meets `condition`."""
    identities = models.LeadIdentidade.objects.filter(uc_id=OuterRef("uc_id")).exclude(revisao=models.Revisao.REJEITADA)
    return Exists(identities.filter(condition))


def municipio_codes(values: Iterable[str], uf: Sequence[str] = ()) -> list[str]:
    """IBGE codes of municipalities given by code (4314902), by name (Tapejara: one UF must hold it, or
    `uf` narrows it) or by name and UF (Tapejara/RS, Tapejara-RS). Names ignore case and accents."""
    values = list(values)
    by_code = set(models.Municipio.objects.filter(cod_ibge__in=[v for v in values if ascii_digits(v)]).values_list(
        "cod_ibge", flat=True))  # fmt: skip
    names = [v for v in values if not ascii_digits(v)]
    by_name: dict[str, list[tuple[str, str, str]]] = {}
    if names:
        for cod, nome, sigla in models.Municipio.objects.values_list("cod_ibge", "nome", "uf"):
            by_name.setdefault(fold(nome), []).append((cod, nome, sigla))
    ufs = {u.upper() for u in uf}
    codes, problems = [], []
    for value in values:
        if ascii_digits(value):
            if value in by_code:
                codes.append(value)
            else:
                problems.append(f"{value!r} não é um código IBGE de município (7 dígitos, p. ex. 4314902)")
            continue
        # "Nome/UF" or "Nome-UF", unless the whole text is a name (a few end in a hyphen and two letters).
        match = re.fullmatch(r"(.+?)\s*[/-]\s*([A-Za-z]{2})", value)
        if match and fold(value) not in by_name:
            name, wanted = match.group(1), {match.group(2).upper()}
        else:
            name, wanted = value, ufs
        found = by_name.get(fold(name), [])
        if wanted:
            found = [f for f in found if f[2] in wanted]
        if len(found) == 1 or (found and wanted):
            codes.extend(f[0] for f in found)
        elif not found:
            problems.append(
                f"nenhum município se chama {value!r}" + (f" em {', '.join(sorted(wanted))}" if wanted else "")
            )
        else:
            options = ", ".join(f"{n}/{s} ({c})" for c, n, s in sorted(found, key=lambda f: f[2]))
            problems.append(
                f"{value!r} é o nome de {len(found)} municípios: {options}; indique a UF (Nome/UF) ou o código"
            )
    if problems:
        raise ValidationError("; ".join(problems))
    return codes


def municipio_search(value: str) -> list[str]:
    """IBGE codes a search term names: a code, or a name (every UF that has it), or Nome/UF."""
    try:
        return municipio_codes([value])
    except ValidationError:
        folded = fold(value)
        return [cod for cod, nome in models.Municipio.objects.values_list("cod_ibge", "nome") if fold(nome) == folded]


def _cnae_filter(queryset: QuerySet[models.LeadBruto], name: str, value: list[str]) -> QuerySet[models.LeadBruto]:
    return queryset.filter(cnae_condition(value))


def cnae_condition(value: list[str]) -> Q:
    """Exact subclass (`4711-3/02`), or a prefix: division (`47`), group (`47.1` or `471`), class (`4711-3`)."""
    condition = Q()
    for item in value:
        if re.fullmatch(r"[0-9]{4}-[0-9]/[0-9]{2}", item):
            condition |= Q(cnae_id=item)
            continue
        digits = re.sub(r"[.\-/]", "", item)
        if not re.fullmatch(r"[0-9]{2,7}", digits):
            raise ValidationError(
                f"{item!r} não é uma subclasse CNAE (NNNN-N/NN) nem um prefixo de divisão/grupo/classe"
            )
        if len(digits) == 2:
            condition |= Q(cnae__subclasse__startswith=digits)
            continue
        subclass_prefix = digits[:4] + ("-" + digits[4] if len(digits) > 4 else "")
        if len(digits) > 5:
            subclass_prefix += "/" + digits[5:]
        condition |= Q(cnae__subclasse__startswith=subclass_prefix)
    return condition


# GeoJSON is longitude/latitude in WGS 84 (RFC 7946, no `crs` member); the names of it and of SIRGAS 2000
# (the BDGD's datum, within a metre of it) are accepted too. Anything else would be read as degrees
# when it is not: refused.
CRS_ACEITOS = {"EPSG:4326", "EPSG:4674", "URN:OGC:DEF:CRS:EPSG::4326", "URN:OGC:DEF:CRS:EPSG::4674",
               "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84"}  # fmt: skip


def _check_crs(crs: Any) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and crs.get("type") == "name" else None
    if not isinstance(name, str) or name.upper() not in CRS_ACEITOS:
        raise ValidationError(
            "o polígono deve estar em longitude/latitude WGS 84 ou SIRGAS 2000: sem 'crs', ou com o nome "
            "EPSG:4326 ou EPSG:4674 (um CRS externo ou projetado não é aceito)"
        )


def polygon_parse(value: str) -> GEOSGeometry:
    """A Polygon or MultiPolygon from GeoJSON (lon/lat) or WKT, checked; ValidationError says what is wrong."""
    text = value.strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
                raise ValidationError("esperado um Polygon ou MultiPolygon GeoJSON")
            _check_crs(data.pop("crs", None))
            geometry = GEOSGeometry(json.dumps(data))
        else:
            if not re.match(r"^(SRID=(4326|4674);)?\s*(MULTI)?POLYGON\s*\(", text, re.IGNORECASE):
                raise ValidationError("esperado um Polygon ou MultiPolygon em GeoJSON ou WKT (POLYGON((lon lat, ...)))")
            geometry = GEOSGeometry(text)
        geometry.srid = 4674  # lon/lat; SIRGAS 2000 and WGS 84 agree to the metre
    except (ValueError, GEOSException, TypeError):
        raise ValidationError("não é um GeoJSON nem um WKT válido") from None
    if geometry.num_coords > MAX_POLYGON_VERTICES:
        raise ValidationError(f"mais de {MAX_POLYGON_VERTICES} vértices")
    if not geometry.valid:
        raise ValidationError(f"polígono inválido: {geometry.valid_reason}")
    minx, miny, maxx, maxy = geometry.extent
    if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
        raise ValidationError("coordenadas fora de ±180 de longitude e ±90 de latitude (a ordem é lon lat)")
    if geometry.area > MAX_POLYGON_AREA_DEG2:
        raise ValidationError(f"polígono grande demais: mais de {MAX_POLYGON_AREA_DEG2} graus quadrados")
    return geometry


class LeadFilter(df.FilterSet):
    distribuidora = CodeFilter(
        field_name="distribuidora_id", choices=_distribuidoras, endpoint="distribuidoras",
        help_text="código ANEEL (401) ou nome; vários: 401,402",
    )  # fmt: skip
    ano = df.NumberFilter(help_text="ano de referência, p. ex. 2024", min_value=ANO_MIN, max_value=ANO_MAX)
    camada = CodeFilter(
        choices=_choices(models.Origem, exclude=["PONNOT"]), help_text="UCAT, UCMT ou UCBT; vários: UCMT,UCAT"
    )
    uf = CodeFilter(
        field_name="municipio__uf", choices=_ufs, help_text="UF (maiúsculas ou minúsculas), p. ex. RS; vários: RS,SC"
    )
    municipio = MultiValueFilter(
        method="filter_municipio",
        help_text="código IBGE (4314902) ou nome, com a UF se o nome se repete (Tapejara/RS); vários: a,b",
    )  # fmt: skip
    classe = CodeFilter(
        field_name="classe_consumo_id", choices=_classes, endpoint="classes-consumo",
        help_text="classe/subclasse da BDGD (CO1) ou a classe inteira (CO); vários: CO1,CO2",
    )  # fmt: skip
    tipo_cliente = CodeFilter(
        field_name="classe_consumo__tipo_cliente", choices=_choices(models.TipoCliente), help_text="PF ou PJ"
    )
    grupo_tensao = CodeFilter(
        field_name="grupo_tensao_id", choices=_grupos_tensao, endpoint="grupos-tensao",
        help_text="BT, MT ou AT; A = MT e AT, B = BT",
    )  # fmt: skip
    grupo_tarifario = CodeFilter(
        field_name="grupo_tarifario_id", choices=_grupos_tarifarios, endpoint="grupos-tarifarios",
        help_text="subgrupo tarifário, p. ex. A4; vários: A4,A3a",
    )  # fmt: skip
    cnae = MultiValueFilter(
        method=_cnae_filter,
        help_text="subclasse 4711-3/02 ou um prefixo: 47, 47.1, 4711-3; vários separados por vírgula",
    )  # fmt: skip
    segmento = CodeFilter(
        field_name="segmento_mercado_id", choices=_segmentos, endpoint="segmentos",
        help_text="segmento de mercado (código ou nome), p. ex. varejo",
    )  # fmt: skip
    livre = StrictBooleanFilter(
        method="filter_livre",
        help_text=f"já é consumidor livre (LIV da BDGD ou carga da CCEE): {BOOLEAN_HELP}",
    )
    enriquecimento_status = MultiValueFilter(
        method="filter_enriquecimento",
        help_text="resultado do enriquecimento: success (sucesso), partial (parcial) ou failed (falhou); vários: a,b",
    )
    cnpj = MultiValueFilter(
        method="filter_cnpj",
        help_text="CNPJ da unidade (14 caracteres, com ou sem pontuação) ou CNPJ básico da empresa (8); vários: a,b",
    )
    porte = MultiValueFilter(
        method="filter_porte",
        help_text="porte da empresa identificada: 0 (nao_informado), 1 (micro), 3 (epp) ou 5 (demais); vários: 1,3",
    )
    mei = StrictBooleanFilter(method="filter_mei", help_text=f"a empresa identificada é MEI: {BOOLEAN_HELP}")
    situacao = CodeFilter(choices=_choices(models.Situacao), help_text="AT (ativa) ou DS (desativada)")
    possui_gd = StrictBooleanFilter(method="filter_gd", help_text=f"tem usina de geração distribuída: {BOOLEAN_HELP}")
    pac_min = df.NumberFilter(field_name="pac", lookup_expr="gte", help_text="PAC (kW) mínima")
    pac_max = df.NumberFilter(field_name="pac", lookup_expr="lte", help_text="PAC (kW) máxima")
    energia_min = df.NumberFilter(field_name="energia_anual_kwh", lookup_expr="gte", help_text="kWh/ano mínimo")
    energia_max = df.NumberFilter(field_name="energia_anual_kwh", lookup_expr="lte", help_text="kWh/ano máximo")
    demanda_min = df.NumberFilter(
        field_name="demanda_pico_kw", lookup_expr="gte", help_text="demanda de pico (kW) mínima"
    )
    demanda_max = df.NumberFilter(
        field_name="demanda_pico_kw", lookup_expr="lte", help_text="demanda de pico (kW) máxima"
    )
    media_dic_min = df.NumberFilter(field_name="media_dic", lookup_expr="gte", help_text="DIC médio mensal (h) mínimo")
    media_dic_max = df.NumberFilter(field_name="media_dic", lookup_expr="lte", help_text="DIC médio mensal (h) máximo")
    media_fic_min = df.NumberFilter(field_name="media_fic", lookup_expr="gte", help_text="FIC médio mensal mínimo")
    media_fic_max = df.NumberFilter(field_name="media_fic", lookup_expr="lte", help_text="FIC médio mensal máximo")
    oferta = MultiValueFilter(
        method="filter_oferta",
        help_text="acl, arbitragem, backup ou gtd: as unidades com score nessa oferta, da maior para a menor",
    )  # fmt: skip
    segmento_automatico = df.NumberFilter(
        field_name="segmento_automatico", help_text="segmento automático (id de /api/v1/segmentos/)"
    )
    score_acl_min = df.NumberFilter(field_name="score_acl", lookup_expr="gte", help_text="score ACL mínimo (0–100)")
    score_arbitragem_min = df.NumberFilter(
        field_name="score_arbitragem", lookup_expr="gte", help_text="score de arbitragem mínimo (0–100)"
    )
    score_backup_min = df.NumberFilter(
        field_name="score_backup", lookup_expr="gte", help_text="score de backup mínimo (0–100)"
    )
    score_gtd_min = df.NumberFilter(field_name="score_gtd", lookup_expr="gte", help_text="score GTD mínimo (0–100)")
    anomalia = MultiValueFilter(
        method="filter_anomalia",
        help_text="unidades com uma anomalia de consumo destes tipos (mes_atipico, queda_abrupta, acima_do_tipico, "
        "bt_implausivel, energia_sem_demanda, demanda_sem_energia); vários: a,b",
    )  # fmt: skip
    bbox = df.CharFilter(method="filter_bbox", help_text="lon_min,lat_min,lon_max,lat_max (SIRGAS 2000)")
    poligono = df.CharFilter(
        method="filter_polygon",
        help_text='Polygon GeoJSON, p. ex. {"type":"Polygon",...}, ou WKT POLYGON((lon lat, ...))',
    )
    lat = df.NumberFilter(method="filter_noop", help_text="com lon e raio_m: centro de uma busca por raio")
    lon = df.NumberFilter(method="filter_noop", help_text="com lat e raio_m: centro de uma busca por raio")
    raio_m = df.NumberFilter(method="filter_noop", help_text="raio em metros em torno de lat/lon (máx. 500 km)")

    class Meta:
        model = models.LeadBruto
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # lat/lon/raio_m act together, in filter_queryset

    def filter_oferta(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        condition = Q()
        for oferta in resolve(value, _choices(models.Oferta)()):
            condition |= Q(**{f"score_{oferta}__isnull": False})
        return queryset.filter(condition)

    def filter_anomalia(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        from quality.models import Anomalia, TipoAnomalia

        tipos = resolve(value, _codes(TipoAnomalia.values))
        return queryset.filter(Exists(Anomalia.objects.filter(uc_id=OuterRef("uc_id"), tipo__in=tipos)))

    def filter_livre(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        ccee = Exists(models.LeadMercadoLivre.objects.filter(uc_id=OuterRef("uc_id")))
        return queryset.filter(Q(livre=True) | ccee) if value else queryset.filter(Q(livre=False) & ~ccee)

    def filter_enriquecimento(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        wanted = resolve(value, _resultados())
        return queryset.filter(
            uc_id__in=models.LeadCompletoDetalhado.objects.filter(enriquecimento_status__in=wanted).values("uc_id")
        )

    def filter_cnpj(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        condition = Q()
        for item in value:
            code = re.sub(r"[.\-/\s]", "", item).upper()
            if re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", code):
                condition |= Q(cnpj=code) & (
                    Q(resultado=models.Resultado.SUCCESS) | Q(revisao=models.Revisao.CONFIRMADA)
                )
            elif re.fullmatch(r"[0-9A-Z]{8}", code):
                condition |= Q(cnpj_basico=code)
            else:
                raise ValidationError(f"{item!r} não é um CNPJ (14 caracteres) nem um CNPJ básico (8)")
        return queryset.filter(identidade_condition(condition))

    def filter_porte(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return queryset.filter(identidade_condition(Q(porte__in=resolve(value, PORTES))))

    def filter_mei(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset.filter(identidade_condition(Q(mei=value)))

    def filter_gd(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset.filter(ceg_gd__isnull=not value)

    def filter_municipio(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        ufs = self.form.cleaned_data.get("uf") or []
        return queryset.filter(municipio_id__in=municipio_codes(value, uf=ufs))

    def filter_bbox(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        try:
            minx, miny, maxx, maxy = (float(v) for v in value.split(","))
        except ValueError:
            raise ValidationError("esperados quatro números: lon_min,lat_min,lon_max,lat_max") from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValidationError("esperado lon_min < lon_max dentro de ±180 e lat_min < lat_max dentro de ±90")
        box = Polygon.from_bbox((minx, miny, maxx, maxy))
        box.srid = 4674
        return queryset.filter(coordenada__bboverlaps=box)

    def filter_polygon(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        geometry = polygon_parse(value)
        return queryset.filter(coordenada__intersects=geometry)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        for name, value in self.form.cleaned_data.items():
            try:
                queryset = self.filters[name].filter(queryset, value)
            except ValidationError as exc:  # a filter's own error, under the parameter's name
                raise ValidationError({name: exc.messages}) from None
        lat, lon, radius = (self.form.cleaned_data.get(k) for k in ("lat", "lon", "raio_m"))
        given = [v is not None for v in (lat, lon, radius)]
        if any(given) and not all(given):
            raise ValidationError({"raio_m": "uma busca por raio precisa de lat, lon e raio_m juntos"})
        if all(given):
            lat, lon, radius = float(lat), float(lon), float(radius)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValidationError({"lat": "lat deve estar dentro de ±90 e lon dentro de ±180"})
            if not (0 < radius <= MAX_RADIUS_M):
                raise ValidationError({"raio_m": f"raio_m deve ser > 0 e no máximo {MAX_RADIUS_M}"})
            centre = Point(lon, lat, srid=4674)
            # The GiST index narrows to a box in degrees; the spheroid distance then decides.
            dlat = radius / 110_574
            dlon = radius / max(111_320 * math.cos(math.radians(lat)), 1.0)
            box = Polygon.from_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat))
            box.srid = 4674
            queryset = queryset.filter(coordenada__bboverlaps=box, coordenada__distance_lte=(centre, D(m=radius)))
        return queryset
