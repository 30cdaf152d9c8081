"""The quality pages: worst regions, the trend, anomalies and the user's alerts; the notifications list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import selectors, services
from .models import EventoAlerta, IndicadorQualidade, Metrica, Notificacao, TipoAnomalia, TipoRegiao

BAR_WIDTH, BAR_HEIGHT = 960, 220
MESES = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")


class RegraForm(forms.Form):
    nome = forms.CharField(max_length=120)
    tipo_regiao = forms.ChoiceField(
        label="tipo de região", choices=[c for c in TipoRegiao.choices if c[0] != "poligono"]
    )
    regiao = forms.CharField(label="região", max_length=80, help_text="RS, Tapejara/RS, 401 ou 401:12722")
    metrica = forms.ChoiceField(label="métrica", choices=Metrica.choices)
    limiar = forms.FloatField()
    tipo_anomalia = forms.ChoiceField(
        label="tipo de anomalia", choices=[("", "—"), *TipoAnomalia.choices], required=False
    )
    email = forms.BooleanField(label="por e-mail", required=False, initial=True)
    resumo_diario = forms.BooleanField(label="resumo diário", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            valid = selectors.regra_validar(data)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
            return data
        data.update(regiao=valid.regiao, tipo_anomalia=valid.tipo_anomalia)
        return data


def _user_id(request: HttpRequest) -> int:
    return int(str(request.user.pk))


def barras(rows: list[IndicadorQualidade]) -> dict[str, Any]:
    """Bars of the monthly mean DIC (and its p90 as a tick) on one scale, for an SVG."""
    top = max([r.dic_p90 or 0 for r in rows] + [r.dic_medio or 0 for r in rows] + [0.01])
    pad, step = 40, (BAR_WIDTH - 2 * 40) / 12
    bars = []
    for r in rows:
        height = (r.dic_medio or 0) / top * (BAR_HEIGHT - 2 * pad)
        p90 = (r.dic_p90 or 0) / top * (BAR_HEIGHT - 2 * pad)
        x = pad + (r.mes - 1) * step
        bars.append({
            "x": round(x + step * 0.15, 1), "w": round(step * 0.7, 1), "y": round(BAR_HEIGHT - pad - height, 1),
            "h": round(height, 1), "p90": round(BAR_HEIGHT - pad - p90, 1), "mes": MESES[r.mes - 1],
            "cx": round(x + step / 2, 1), "valor": r.dic_medio or 0,
        })  # fmt: skip
    return {"bars": bars, "width": BAR_WIDTH, "height": BAR_HEIGHT, "top": top, "base": BAR_HEIGHT - pad}


@login_required
def qualidade(request: HttpRequest) -> HttpResponse:
    """Worst regions by yearly mean DIC, the trend against the previous year, anomalies and the user's alerts."""
    user_id = _user_id(request)
    form = RegraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        regra = services.rule_save(data=form.cleaned_data, dono_id=user_id)
        messages.success(request, f"Regra “{regra.nome}” criada e avaliada.")
        return redirect("qualidade")
    anos = list(IndicadorQualidade.objects.filter(mes=0).order_by("-ano").values_list("ano", flat=True).distinct())
    pedido = request.GET.get("ano", "")
    ano = int(pedido) if pedido.isdigit() and int(pedido) in anos else 0
    ano = ano or (anos[0] if anos else 0)
    distribuidoras = list(IndicadorQualidade.objects.filter(nivel="distribuidora", mes=0, ano=ano).order_by("-n_ucs"))
    serie = (
        selectors.serie_mensal(nivel="distribuidora", regiao=distribuidoras[0].regiao, ano=ano)
        if distribuidoras
        else []
    )
    context = {
        "ano": ano,
        "anos": anos,
        "municipios": selectors.piores_regioes(nivel="municipio", ano=ano),
        "conjuntos": selectors.piores_regioes(nivel="conjunto", ano=ano),
        "distribuidoras": distribuidoras,
        "serie_regiao": distribuidoras[0] if distribuidoras else None,
        "serie": barras(serie) if serie else None,
        "anomalias": selectors.anomalias_por_tipo(),
        "regras": selectors.regras_do_usuario(user_id=user_id).order_by("-criada_em")[:20],
        "eventos": EventoAlerta.objects.filter(regra__dono_id=user_id, silencioso=False).select_related("regra")[:8],
        "form": form,
    }
    return render(request, "quality/qualidade.html", context)


@login_required
def notificacoes(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; a POST marks them (all, or one) as read."""
    user_id = _user_id(request)
    if request.method == "POST":
        one = request.POST.get("id", "")
        services.notifications_mark_read(user_id=user_id, ids=[int(one)] if one.isdigit() else None)
        return redirect("notificacoes")
    rows = Notificacao.objects.filter(usuario_id=user_id).select_related("evento__regra")[:200]
    return render(request, "quality/notificacoes.html", {"notificacoes": rows})
