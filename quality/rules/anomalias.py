"""Consumption anomalies of consumer units: pure numpy/pandas, no Django.

`detectar(unidades, parametros)` takes every unit of a distributor-year (its twelve months of energy and
demand, class, municipality, voltage group) and returns one row per anomaly found, with its type, a
severity (1 low, 2 medium, 3 high), the measure behind it and a sentence explaining it:

- `mes_atipico`: a month far from the unit's own seasonal pattern. Each unit's months over its mean are
  compared with the typical shape of its class and voltage group (the median shape, month by month);
  the residuals are scored robustly against the unit's own spread (median and MAD), so a unit that is
  always irregular needs a larger departure.
- `queda_abrupta`: consumption that falls and stays low until the end of the year (the months after
  the fall at most a fraction of those before, beyond what the group's seasonal shape explains): a unit
  that moved to another supplier or lost its load, or losses.
- `acima_do_tipico`: yearly energy far above the units of the same class and municipality (robust
  score of the logarithm), a lead for efficiency offers or a recording error.
- `bt_implausivel`: a low-voltage unit above 657 MWh a year, the bound above which analysts of the
  Coelba BDGD discarded low-voltage units as implausible.
- `energia_sem_demanda` / `demanda_sem_energia`: units that publish demand (medium and high voltage)
  with months of energy and zero demand, or demand and no energy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MESES = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")
Array = np.ndarray[Any, Any]
COLUNAS = ("uc_id", "tipo", "severidade", "mes", "escore", "valor", "referencia", "explicacao")


@dataclass(frozen=True)
class Parametros:
    z_mes: float = 8.0  # robust score of a month against the unit's own spread
    desvio_relativo_mes: float = 1.0  # and at least this far from the expected month (fraction of the mean)
    desvio_minimo_kwh: float = 150.0  # and at least this many kWh away
    media_minima_kwh: float = 30.0  # units below this monthly mean are too small to judge month by month
    espalhamento_minimo: float = 0.08  # floor of a unit's robust spread (fraction of its mean)
    meses_por_unidade: int = 3  # at most this many atypical months reported per unit
    queda_fracao: float = 0.2  # the months after the fall at most this fraction of those before
    queda_meses_min: int = 4  # and at least this many months after it
    z_tipico: float = 4.0  # robust score of log10(yearly energy) within class and municipality
    fator_tipico: float = 10.0  # and at least this many times the group's median
    grupo_minimo: int = 30  # fewer units than this in a class-municipality: compared within the class
    bt_limite_kwh: float = 657_000.0
    energia_minima_kwh: float = 100.0  # a month "has energy" above this
    meses_demanda_min: int = 2  # months of energy without demand (or the reverse) to report


@dataclass
class Unidades:
    """Every unit of a scope: ids, codes and the twelve months (NaN where not published)."""

    uc_id: Array  # int64 (n,)
    classe: Array  # object (n,): CLAS_SUB, e.g. RE1, CO1
    municipio: Array  # object (n,)
    grupo_tensao: Array  # object (n,): BT, MT, AT
    energia: Array  # float (n, 12), kWh
    demanda: Array  # float (n, 12), kW; NaN for units that publish none (low voltage)


def vazio() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(COLUNAS, ("int64", "object", "int8", "Int8",
                         "float64", "float64", "float64", "object"), strict=True)})  # fmt: skip


def detectar(unidades: Unidades, parametros: Parametros | None = None) -> pd.DataFrame:
    """Every anomaly of these units (columns COLUNAS; `mes` 1–12 or missing), most severe first."""
    p = parametros or Parametros()
    if len(unidades.uc_id) == 0:
        return vazio()
    energia = np.asarray(unidades.energia, dtype=np.float64)
    classe_grupo = _classe_grupo(unidades)
    perfil = _perfil_do_grupo(energia, classe_grupo)
    quedas = _quedas(unidades, energia, perfil, p)
    partes = [
        quedas,
        _meses_atipicos(unidades, energia, perfil, p, sem=set(quedas["uc_id"].tolist())),
        _acima_do_tipico(unidades, energia, p),
        _bt_implausivel(unidades, energia, p),
        *_demanda(unidades, energia, p),
    ]
    partes = [parte for parte in partes if len(parte)]
    if not partes:
        return vazio()
    out = pd.concat(partes, ignore_index=True)
    out["mes"] = out["mes"].astype("Int8")
    out["severidade"] = out["severidade"].astype("int8")
    return out.sort_values(["severidade", "escore"], ascending=[False, False], ignore_index=True)[list(COLUNAS)]


def _classe_grupo(unidades: Unidades) -> Array:
    """The group whose seasonal shape a unit is compared with: class letters and voltage group."""
    classe = pd.Series(unidades.classe, dtype="object").fillna("").str[:2]
    tensao = pd.Series(unidades.grupo_tensao, dtype="object").fillna("")
    return (classe + ":" + tensao).to_numpy()


def _perfil_do_grupo(energia: Array, grupo: Array) -> Array:
    """(n, 12): the median of the months over the unit's mean among the units of each unit's group."""
    positivo = np.where(energia > 0, energia, np.nan)
    contagem = (~np.isnan(positivo)).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        media = np.nansum(positivo, axis=1, keepdims=True) / np.where(contagem > 0, contagem, np.nan)
        forma = energia / media
    frame = pd.DataFrame(forma)
    frame["g"] = grupo
    mediana = frame.groupby("g").median()
    perfil = mediana.reindex(grupo).to_numpy(dtype=np.float64)
    return np.where(np.isnan(perfil), 1.0, perfil)


def _linhas(tipo: str, uc: Array, severidade: Array, mes: Array | None, escore: Array,
            valor: Array, referencia: Array, explicacao: list[str]) -> pd.DataFrame:  # fmt: skip
    return pd.DataFrame({
        "uc_id": uc.astype("int64"), "tipo": tipo, "severidade": severidade.astype("int8"),
        "mes": pd.array(mes if mes is not None else [pd.NA] * len(uc), dtype="Int8"),
        "escore": escore.astype("float64"), "valor": valor.astype("float64"),
        "referencia": referencia.astype("float64"), "explicacao": explicacao,
    })  # fmt: skip


def _kwh(valor: float) -> str:
    return f"{valor:,.0f}".replace(",", ".") + " kWh"


def _meses_atipicos(unidades: Unidades, energia: Array, perfil: Array, p: Parametros,
                    sem: set[int]) -> pd.DataFrame:  # fmt: skip
    validos = ~np.isnan(energia)
    contagem = validos.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units without any month: all-NaN rows
        media = np.nansum(energia, axis=1) / np.where(contagem > 0, contagem, np.nan)
        # A unit with months of no consumption (connected or disconnected mid-year) has no pattern to
        # depart from: its falls are the drop rule's.
        julgavel = ((np.nan_to_num(energia) > 0).sum(axis=1) >= 11) & (media >= p.media_minima_kwh)
        julgavel &= ~np.isin(unidades.uc_id, list(sem))
        residuo = energia / media[:, None] - perfil
        centro = np.nanmedian(residuo, axis=1, keepdims=True)
        espalhamento = np.maximum(1.4826 * np.nanmedian(np.abs(residuo - centro), axis=1, keepdims=True),
                                  p.espalhamento_minimo)  # fmt: skip
        z = (residuo - centro) / espalhamento
        esperado = media[:, None] * (perfil + centro)
        desvio = np.abs(energia - esperado)
        marca = (
            julgavel[:, None] & validos & (np.abs(z) >= p.z_mes) & (desvio >= p.desvio_minimo_kwh)
            & (desvio >= p.desvio_relativo_mes * media[:, None])
        )  # fmt: skip
    linhas, colunas = np.nonzero(marca)
    if not len(linhas):
        return vazio()
    frame = pd.DataFrame({"i": linhas, "m": colunas, "z": np.abs(z[linhas, colunas])})
    frame = frame.sort_values("z", ascending=False).groupby("i").head(p.meses_por_unidade)
    i, m, zz = frame["i"].to_numpy(), frame["m"].to_numpy(), frame["z"].to_numpy()
    valor, ref = energia[i, m], esperado[i, m]
    severidade = np.select([zz >= 15, zz >= 9], [3, 2], 1)
    textos = [
        f"Em {MESES[mm]}: {_kwh(v)} contra cerca de {_kwh(max(r, 0.0))} esperados pelo padrão sazonal da unidade e "
        f"da sua classe ({'acima' if v > r else 'abaixo'}; escore robusto {s:.1f})."
        for mm, v, r, s in zip(m, valor, ref, zz, strict=True)
    ]
    return _linhas("mes_atipico", unidades.uc_id[i], severidade, m + 1, zz, valor, ref, textos)


def _quedas(unidades: Unidades, energia: Array, perfil: Array, p: Parametros) -> pd.DataFrame:
    n = len(unidades.uc_id)
    cheia = np.where(np.isnan(energia), 0.0, energia)
    conhecidos = (~np.isnan(energia)).sum(axis=1) >= 9
    melhor_razao = np.full(n, np.inf)
    melhor_k = np.zeros(n, dtype=int)
    antes_media = np.zeros(n)
    depois_media = np.zeros(n)
    for k in range(3, 12 - p.queda_meses_min + 1):  # the fall happens at month k (0-based): k months before
        antes, depois = cheia[:, :k].mean(axis=1), cheia[:, k:].mean(axis=1)
        pico_depois = cheia[:, k:].max(axis=1)
        forma = perfil[:, k:].mean(axis=1) / np.maximum(perfil[:, :k].mean(axis=1), 1e-9)
        with np.errstate(invalid="ignore", divide="ignore"):
            razao = (depois / antes) / np.maximum(forma, 1e-9)
        ok = conhecidos & (antes >= p.media_minima_kwh) & (antes * 12 >= p.desvio_minimo_kwh * 4)
        ok &= (razao <= p.queda_fracao) & (pico_depois <= 2 * p.queda_fracao * antes * np.maximum(forma, 1.0))
        melhor = ok & (razao < melhor_razao)
        melhor_razao[melhor], melhor_k[melhor] = razao[melhor], k
        antes_media[melhor], depois_media[melhor] = antes[melhor], depois[melhor]
    i = np.nonzero(np.isfinite(melhor_razao))[0]
    if not len(i):
        return vazio()
    razao, queda = melhor_razao[i], melhor_k[i]
    severidade = np.select([razao <= 0.05, razao <= 0.15], [3, 2], 1)
    textos = [
        f"A partir de {MESES[kk]} o consumo caiu de {_kwh(a)} para {_kwh(d)} por mês em média e não voltou até "
        f"dezembro ({100 * (1 - r):.0f} % abaixo do esperado pela sazonalidade): migração para outro fornecedor, "
        "perda de carga ou perdas."
        for kk, a, d, r in zip(queda, antes_media[i], depois_media[i], razao, strict=True)
    ]
    return _linhas("queda_abrupta", unidades.uc_id[i], severidade, queda + 1, 1 - razao, depois_media[i],
                   antes_media[i], textos)  # fmt: skip


def _acima_do_tipico(unidades: Unidades, energia: Array, p: Parametros) -> pd.DataFrame:
    anual = np.nansum(energia, axis=1)
    frame = pd.DataFrame({"classe": pd.Series(unidades.classe, dtype="object").fillna("?"),
                          "municipio": pd.Series(unidades.municipio, dtype="object").fillna("?")})  # fmt: skip
    positivo = anual > 0
    frame["log"] = np.where(positivo, np.log10(np.where(positivo, anual, 1.0)), np.nan)

    def robust(keys: list[str]) -> tuple[Array, Array, Array]:
        grupos = frame.groupby(keys)["log"]
        mediana = grupos.transform("median").to_numpy()
        mad = frame.assign(d=(frame["log"] - mediana).abs()).groupby(keys)["d"].transform("median").to_numpy()
        return mediana, mad, grupos.transform("count").to_numpy()

    med_local, mad_local, n_local = robust(["classe", "municipio"])
    med_classe, mad_classe, n_classe = robust(["classe"])
    local = n_local >= p.grupo_minimo
    mediana = np.where(local, med_local, med_classe)
    mad = np.where(local, mad_local, mad_classe)
    tamanho = np.where(local, n_local, n_classe)
    with np.errstate(invalid="ignore"):
        z = (frame["log"].to_numpy() - mediana) / np.maximum(1.4826 * mad, 0.1)
        fator = anual / 10**mediana
        marca = positivo & (tamanho >= p.grupo_minimo) & (z >= p.z_tipico) & (fator >= p.fator_tipico)
    i = np.nonzero(marca)[0]
    if not len(i):
        return vazio()
    severidade = np.select([fator[i] >= 100, fator[i] >= 30], [3, 2], 1)
    textos = [
        f"{_kwh(a)} no ano, {f:.0f} vezes a mediana ({_kwh(10**m)}) das unidades da classe {c}"
        f"{' no mesmo município' if loc else ''} (escore robusto {s:.1f}): oportunidade de eficiência ou erro de "
        "cadastro."
        for a, f, m, c, loc, s in zip(anual[i], fator[i], mediana[i], frame["classe"].to_numpy()[i], local[i], z[i],
                                      strict=True)
    ]  # fmt: skip
    return _linhas("acima_do_tipico", unidades.uc_id[i], severidade, None, z[i], anual[i], 10 ** mediana[i], textos)


def _bt_implausivel(unidades: Unidades, energia: Array, p: Parametros) -> pd.DataFrame:
    anual = np.nansum(energia, axis=1)
    i = np.nonzero((pd.Series(unidades.grupo_tensao, dtype="object") == "BT").to_numpy() & (anual > p.bt_limite_kwh))[0]
    if not len(i):
        return vazio()
    textos = [
        f"Baixa tensão com {_kwh(a)} no ano, acima de 657 MWh: o limite acima do qual analistas da BDGD da "
        "Coelba descartaram unidades de baixa tensão como implausíveis (cadastro ou medição a conferir)."
        for a in anual[i]
    ]
    return _linhas("bt_implausivel", unidades.uc_id[i], np.full(len(i), 3), None, anual[i] / p.bt_limite_kwh,
                   anual[i], np.full(len(i), p.bt_limite_kwh), textos)  # fmt: skip


def _demanda(unidades: Unidades, energia: Array, p: Parametros) -> list[pd.DataFrame]:
    demanda = np.asarray(unidades.demanda, dtype=np.float64)
    publica: Array = np.asarray((~np.isnan(demanda)).any(axis=1))
    com_energia = np.nan_to_num(energia) > p.energia_minima_kwh
    sem_energia = np.nan_to_num(energia) <= 0
    com_demanda = np.nan_to_num(demanda) > 0
    out = []
    casos: tuple[tuple[str, Array, str], ...] = (
        ("energia_sem_demanda", com_energia & ~com_demanda,
         "{n} meses com energia ({e}) e demanda zero, o primeiro em {mes}: medição de demanda ausente ou errada, "
         "ou unidade faturada como grupo B."),
        ("demanda_sem_energia", com_demanda & sem_energia,
         "{n} meses com demanda registrada e nenhuma energia, o primeiro em {mes}: medição de energia ausente, "
         "unidade parada pagando demanda, ou erro de cadastro."),
    )  # fmt: skip
    for tipo, marca, texto in casos:
        marca = marca & publica[:, None]
        contagem = marca.sum(axis=1)
        i = np.nonzero(contagem >= p.meses_demanda_min)[0]
        if not len(i):
            continue
        primeiro = marca[i].argmax(axis=1)
        energia_marcada = np.where(marca[i], np.nan_to_num(energia[i]), 0.0).sum(axis=1)
        severidade = np.select([contagem[i] >= 6, contagem[i] >= 3], [3, 2], 1)
        textos = [
            texto.format(n=c, e=_kwh(e), mes=MESES[m])
            for c, e, m in zip(contagem[i], energia_marcada, primeiro, strict=True)
        ]
        out.append(_linhas(tipo, unidades.uc_id[i], severidade, primeiro + 1, contagem[i].astype(float),
                           energia_marcada, np.zeros(len(i)), textos))  # fmt: skip
    return out
