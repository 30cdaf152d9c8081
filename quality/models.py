"""Quality of supply: regional DIC/FIC indicators, consumption anomalies, alert rules and notifications.

Indicators are a materialized view over the units and their quality months (migrations/sql/); anomalies
are keyed by uc_id and reference `lead_unidade` (ON DELETE CASCADE), so they survive a re-import of
their layer. Rules, events and notifications belong to users (public schema, beside auth).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from leads.fields import EnumField
from leads.models import Camada, LeadBruto, LeadUnidade, ParametrosUnicos, table


class ParametrosQualidade(ParametrosUnicos):
    """The thresholds a unit is compared with where no regulatory limit of its set is imported: one row,
    edited in the admin (the indicators are computed again at the next refresh)."""

    limiar_dic_mensal_h = models.FloatField("limiar de DIC mensal (h)", default=4.0)
    limiar_fic_mensal = models.FloatField("limiar de FIC mensal (interrupções)", default=3.0)
    limiar_dic_anual_h = models.FloatField("limiar de DIC anual (h)", default=16.0)
    limiar_fic_anual = models.FloatField("limiar de FIC anual (interrupções)", default=10.0)

    class Meta:
        db_table = table("parametros_qualidade")
        verbose_name = "parâmetros de qualidade"
        verbose_name_plural = "parâmetros de qualidade"


class Indicador(models.TextChoices):
    DEC = "DEC", "DEC (duração equivalente, h)"
    FEC = "FEC", "FEC (frequência equivalente)"
    DIC = "DIC", "DIC (duração individual, h)"
    FIC = "FIC", "FIC (frequência individual)"


class LimiteContinuidade(models.Model):
    """A regulatory continuity limit of a set of units (BDGD `CONJ`) for a year, from ANEEL's open dataset
    of continuity limits (`manage.py import_limites_continuidade`)."""

    distribuidora = models.ForeignKey("leads.Distribuidora", on_delete=models.PROTECT, db_index=False)
    conj = models.IntegerField("conjunto (CONJ)")
    ano = models.SmallIntegerField()
    indicador = models.CharField(max_length=3, choices=Indicador.choices)
    valor = models.FloatField("limite anual")
    conjunto_nome = models.CharField("nome do conjunto", max_length=200, blank=True)
    agente = models.CharField("distribuidora (SigAgente)", max_length=80, blank=True)

    class Meta:
        db_table = table("limite_continuidade")
        verbose_name = "limite de continuidade"
        verbose_name_plural = "limites de continuidade"
        constraints = [
            models.UniqueConstraint(fields=["distribuidora", "conj", "ano", "indicador"], name="limite_chave"),
            models.CheckConstraint(condition=Q(valor__gte=0), name="limite_nao_negativo"),
        ]

    def __str__(self) -> str:
        return f"{self.indicador} {self.valor} conjunto {self.conj} ({self.distribuidora_id}/{self.ano})"


class IndicadorQualidade(models.Model):
    """A row of the materialized view `indicador_qualidade`: one region (UF, municipality, distributor or
    set), year and month (0 for the year). Months a unit's layer left out (DIC = FIC = 0) count as 0."""

    chave = models.CharField(max_length=80, primary_key=True)
    nivel = models.CharField(max_length=12)
    regiao = models.CharField("região", max_length=40)
    nome = models.CharField(max_length=200)
    uf = models.CharField(max_length=2, null=True)
    distribuidora_id = models.IntegerField(null=True)
    ano = models.SmallIntegerField()
    mes = models.SmallIntegerField(help_text="1–12, ou 0 para o ano")
    n_ucs = models.BigIntegerField()
    dic_medio = models.FloatField(null=True)
    dic_p90 = models.FloatField(null=True)
    fic_medio = models.FloatField(null=True)
    fic_p90 = models.FloatField(null=True)
    n_acima_dic = models.BigIntegerField()
    pct_acima_dic = models.FloatField(null=True)
    n_acima_fic = models.BigIntegerField()
    pct_acima_fic = models.FloatField(null=True)
    n_sem_rede = models.BigIntegerField()
    limite_dec = models.FloatField(null=True)
    limite_fec = models.FloatField(null=True)
    dic_medio_anterior = models.FloatField(null=True)
    fic_medio_anterior = models.FloatField(null=True)
    variacao_dic_pct = models.FloatField(null=True)
    variacao_fic_pct = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = table("indicador_qualidade")
        verbose_name = "indicador de qualidade"
        verbose_name_plural = "indicadores de qualidade"


class TipoAnomalia(models.TextChoices):
    MES_ATIPICO = "mes_atipico", "Mês fora do padrão sazonal da unidade"
    QUEDA_ABRUPTA = "queda_abrupta", "Queda abrupta e sustentada do consumo"
    ACIMA_DO_TIPICO = "acima_do_tipico", "Consumo muito acima do típico da classe e município"
    BT_IMPLAUSIVEL = "bt_implausivel", "Baixa tensão acima de 657 MWh/ano"
    ENERGIA_SEM_DEMANDA = "energia_sem_demanda", "Energia com demanda zero"
    DEMANDA_SEM_ENERGIA = "demanda_sem_energia", "Demanda sem energia"


class Severidade(models.IntegerChoices):
    BAIXA = 1, "baixa"
    MEDIA = 2, "média"
    ALTA = 3, "alta"


class Anomalia(models.Model):
    """A consumption anomaly of a unit found by `quality.rules.anomalias` (replaced per distributor-year at
    each detection run). It references lead_unidade (ON DELETE CASCADE): kept across re-imports."""

    uc = models.ForeignKey(LeadUnidade, on_delete=models.CASCADE, db_constraint=False, related_name="anomalias")
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    camada = EnumField(max_length=6, choices=Camada.choices, enum_type="camada_enum")
    lead = models.ForeignObject(
        LeadBruto,
        on_delete=models.DO_NOTHING,
        from_fields=["uc_id", "distribuidora_id", "ano", "camada"],
        to_fields=["uc_id", "distribuidora_id", "ano", "camada"],
        related_name="anomalias",
    )
    tipo = models.CharField(max_length=20, choices=TipoAnomalia.choices)
    severidade = models.SmallIntegerField(choices=Severidade.choices)
    mes = models.SmallIntegerField("mês", null=True, blank=True, help_text="o mês em questão, quando há um")
    escore = models.FloatField(help_text="a medida do desvio (escore robusto, razão, fração)")
    valor = models.FloatField("valor observado", null=True)
    referencia = models.FloatField("valor de referência", null=True)
    explicacao = models.TextField("explicação")
    detectada_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = table("anomalia")
        verbose_name = "anomalia de consumo"
        verbose_name_plural = "anomalias de consumo"
        # uc_id has the foreign key's own index.
        indexes = [models.Index(fields=["distribuidora_id", "ano", "tipo"], name="anomalia_camada_tipo_idx")]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} ({self.uc_id})"


class TipoRegiao(models.TextChoices):
    UF = "uf", "UF"
    MUNICIPIO = "municipio", "Município"
    DISTRIBUIDORA = "distribuidora", "Distribuidora"
    CONJUNTO = "conjunto", "Conjunto (CONJ)"
    POLIGONO = "poligono", "Polígono"


class Metrica(models.TextChoices):
    DIC_MEDIO_MENSAL = "dic_medio_mensal", "DIC médio de um mês acima de (h)"
    FIC_MEDIO_MENSAL = "fic_medio_mensal", "FIC médio de um mês acima de"
    DIC_MEDIO_ANUAL = "dic_medio_anual", "DIC médio do ano acima de (h)"
    FIC_MEDIO_ANUAL = "fic_medio_anual", "FIC médio do ano acima de"
    PCT_ACIMA_LIMITE = "pct_acima_limite", "Unidades com DIC anual acima do limite, % acima de"
    ANOMALIA = "anomalia", "Anomalia de consumo de um tipo, severidade mínima"
    NOVO_LEAD = "novo_lead", "Nova unidade com score acima de"


class RegraAlerta(models.Model):
    """An alert rule of a user: a region, a metric and a threshold, the channels. Evaluated after each
    import and nightly; each event it finds is notified once."""

    dono = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regras_alerta")
    nome = models.CharField(max_length=120)
    tipo_regiao = models.CharField("tipo de região", max_length=13, choices=TipoRegiao.choices)
    regiao = models.CharField(
        "região", max_length=40, blank=True, help_text="UF (RS), código IBGE, código ANEEL ou distribuidora:CONJ"
    )
    poligono = models.MultiPolygonField("polígono", srid=4674, null=True, blank=True)
    selecao = models.ForeignKey(
        "leads.SelecaoMapa", verbose_name="seleção do mapa", null=True, blank=True, on_delete=models.CASCADE,
        related_name="regras_alerta", help_text="poligono: uma seleção salva do mapa; o polígono a acompanha",
    )  # fmt: skip
    metrica = models.CharField("métrica", max_length=20, choices=Metrica.choices)
    limiar = models.FloatField()
    tipo_anomalia = models.CharField(max_length=20, choices=TipoAnomalia.choices, blank=True)
    oferta = models.CharField(max_length=10, blank=True, help_text="novo_lead: acl, arbitragem, backup ou gtd")
    email = models.BooleanField("por e-mail", default=True)
    resumo_diario = models.BooleanField(
        "resumo diário", default=False, help_text="um e-mail por dia em vez de um por evento"
    )
    ativa = models.BooleanField(default=True)
    criada_em = models.DateTimeField(auto_now_add=True)
    avaliada_em = models.DateTimeField("avaliada em", null=True, blank=True)

    class Meta:
        db_table = "quality_regra_alerta"
        ordering = ["-criada_em"]
        verbose_name = "regra de alerta"
        verbose_name_plural = "regras de alerta"
        constraints = [
            models.CheckConstraint(
                condition=Q(tipo_regiao="poligono", poligono__isnull=False)
                | (~Q(tipo_regiao="poligono") & ~Q(regiao="")),
                name="regra_regiao_informada",
            ),
            models.CheckConstraint(
                condition=~Q(metrica="anomalia") | ~Q(tipo_anomalia=""), name="regra_anomalia_com_tipo"
            ),
        ]

    def __str__(self) -> str:
        return self.nome


class EventoAlerta(models.Model):
    """Something a rule found: a region-period above its threshold, an anomaly, a new lead. `chave`
    names it, so the same event is recorded (and notified) once per rule."""

    regra = models.ForeignKey(RegraAlerta, on_delete=models.CASCADE, related_name="eventos")
    chave = models.CharField(max_length=120)
    titulo = models.CharField("título", max_length=200)
    descricao = models.TextField("descrição")
    valor = models.FloatField(null=True)
    uc_id = models.BigIntegerField(null=True, blank=True)
    silencioso = models.BooleanField(
        default=False, help_text="novo_lead: o que já existia na primeira avaliação (sem notificação)"
    )
    criado_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "quality_evento_alerta"
        ordering = ["-criado_em", "-id"]
        verbose_name = "evento de alerta"
        verbose_name_plural = "eventos de alerta"
        constraints = [models.UniqueConstraint(fields=["regra", "chave"], name="evento_uma_vez_por_regra")]

    def __str__(self) -> str:
        return self.titulo


class Notificacao(models.Model):
    """An event told to the rule's owner: in the site (read or not) and, if the rule says so, by e-mail
    (at once, or in the daily digest)."""

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notificacoes")
    evento = models.OneToOneField(EventoAlerta, on_delete=models.CASCADE, related_name="notificacao")
    lida = models.BooleanField(default=False)
    email_pendente = models.BooleanField(default=False)
    resumo = models.BooleanField(default=False, help_text="vai no resumo diário")
    email_enviado_em = models.DateTimeField(null=True, blank=True)
    criada_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "quality_notificacao"
        ordering = ["-criada_em", "-id"]
        verbose_name = "notificação"
        verbose_name_plural = "notificações"
        indexes = [
            models.Index(fields=["usuario"], condition=Q(lida=False), name="notificacao_nao_lida_idx"),
            models.Index(fields=["usuario"], condition=Q(email_pendente=True), name="notificacao_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.usuario_id}: {self.evento_id}"
