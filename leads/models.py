"""The `intel_lead` schema: consumer units (leads), their monthly series, notable points and domains.

Tables live in the PostgreSQL schema `intel_lead` (db_table `'intel_lead"."name'`). Rules that must
hold whatever writes the rows (COPY, raw SQL) are in the database: ENUM types for layers, statuses and
results, CHECK constraints, ON DELETE CASCADE on the monthly tables, and triggers that freeze the
domain tables (see migrations/sql/).
"""

from __future__ import annotations

import uuid
from typing import Self

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db.models import Q
from django.db.models.functions import Now

from .fields import EnumField

SCHEMA = "intel_lead"


def table(name: str) -> str:
    """db_table for a relation in the intel_lead schema."""
    return f'{SCHEMA}"."{name}'


# --- Enumerations (PostgreSQL ENUM types of the same names, see 0003_database_rules.sql) ---


class Camada(models.TextChoices):
    """camada_enum: the BDGD layers the platform imports."""

    UCAT = "UCAT", "UC alta tensão"
    UCMT = "UCMT", "UC média tensão"
    UCBT = "UCBT", "UC baixa tensão"
    PONNOT = "PONNOT", "Pontos notáveis"


class Origem(models.TextChoices):
    """origem_enum: the unit layer a row came from."""

    UCAT = "UCAT", "UC alta tensão"
    UCMT = "UCMT", "UC média tensão"
    UCBT = "UCBT", "UC baixa tensão"


class StatusImportacao(models.TextChoices):
    """status_enum."""

    PENDING = "pending", "Pendente"
    RUNNING = "running", "Em execução"
    COMPLETED = "completed", "Concluída"
    FAILED = "failed", "Falhou"


class Resultado(models.TextChoices):
    """resultado_enum."""

    SUCCESS = "success", "Sucesso"
    PARTIAL = "partial", "Parcial"
    FAILED = "failed", "Falhou"


class Situacao(models.TextChoices):
    """BDGD SIT_ATIV (domain TSITATI)."""

    ATIVA = "AT", "Ativa"
    DESATIVADA = "DS", "Desativada"


class AreaLocalizacao(models.TextChoices):
    """BDGD ARE_LOC (domain TARE)."""

    URBANA = "UB", "Urbana"
    NAO_URBANA = "NU", "Não urbana"


class StatusProcessamento(models.TextChoices):
    RAW = "raw", "Bruto"
    LOCATED = "located", "Localizado"
    ENRICHED = "enriched", "Enriquecido"
    SCORED = "scored", "Pontuado"


class FontePonto(models.TextChoices):
    """Which BDGD layer a point comes from: notable points, or MT/BT transformers (fallback)."""

    PONNOT = "PONNOT", "Ponto notável"
    UNTRMT = "UNTRMT", "Transformador MT/BT"


class FonteCoordenada(models.TextChoices):
    PROPRIO = "proprio", "Ponto próprio"
    PONTO_NOTAVEL = "ponto_notavel", "Ponto notável (PN_CON)"
    TRANSFORMADOR = "transformador", "Transformador (UNI_TR_MT)"


class TipoCliente(models.TextChoices):
    PF = "PF", "Pessoa física"
    PJ = "PJ", "Pessoa jurídica"


# --- Domain tables (read-only unless intel_lead.allow_domain_changes = on) ---


class Distribuidora(models.Model):
    cod_aneel = models.IntegerField("código ANEEL", primary_key=True)
    nome = models.CharField(max_length=120)
    nomes = models.JSONField("grafias publicadas", default=list, blank=True)

    class Meta:
        db_table = table("distribuidora")
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"{self.nome} ({self.cod_aneel})"


class Municipio(models.Model):
    cod_ibge = models.CharField("código IBGE", max_length=7, primary_key=True)
    nome = models.CharField(max_length=80)
    uf = models.CharField("UF", max_length=2)
    regiao = models.CharField("região", max_length=20, blank=True)
    capital = models.BooleanField(default=False)
    cod_tom = models.CharField("código TOM (Receita)", max_length=4, blank=True)
    populacao_2022 = models.IntegerField("população (Censo 2022)", null=True, blank=True)
    area_km2 = models.FloatField("área (km²)", null=True, blank=True)
    pib_per_capita_2022 = models.FloatField("PIB per capita 2022 (R$)", null=True, blank=True)
    idhm_2010 = models.FloatField("IDHM 2010", null=True, blank=True)
    sede = models.PointField("sede", srid=4674, null=True, blank=True)

    class Meta:
        db_table = table("municipio")
        ordering = ["uf", "nome"]
        indexes = [models.Index(fields=["uf"], name="municipio_uf_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(cod_ibge__regex=r"^[0-9]{7}$"), name="municipio_cod_ibge_7_digitos"),
        ]

    def __str__(self) -> str:
        return f"{self.nome}/{self.uf}"


class GrupoTensao(models.Model):
    codigo = models.CharField(max_length=4, primary_key=True)
    descricao = models.CharField("descrição", max_length=120)

    class Meta:
        db_table = table("grupo_tensao")
        ordering = ["codigo"]
        verbose_name = "grupo de tensão"
        verbose_name_plural = "grupos de tensão"

    def __str__(self) -> str:
        return f"{self.codigo} - {self.descricao}"


class GrupoTarifario(models.Model):
    """BDGD tariff subgroup (GRU_TAR, domain TGRUTAR)."""

    codigo = models.CharField(max_length=4, primary_key=True)
    descricao = models.CharField("descrição", max_length=200)

    class Meta:
        db_table = table("grupo_tarifario")
        ordering = ["codigo"]
        verbose_name = "subgrupo tarifário"
        verbose_name_plural = "subgrupos tarifários"

    def __str__(self) -> str:
        return f"{self.codigo} - {self.descricao}"


class ModalidadeTarifaria(models.Model):
    """Tariff modality (not in the BDGD: inferred later)."""

    codigo = models.CharField(max_length=20, primary_key=True)
    descricao = models.CharField("descrição", max_length=200)

    class Meta:
        db_table = table("modalidade_tarifaria")
        ordering = ["codigo"]
        verbose_name = "modalidade tarifária"
        verbose_name_plural = "modalidades tarifárias"

    def __str__(self) -> str:
        return self.descricao


class TipoSistema(models.Model):
    """Connected phases (BDGD FAS_CON, domain TFASCON)."""

    codigo = models.CharField(max_length=4, primary_key=True)
    descricao = models.CharField("descrição", max_length=120)
    fases = models.SmallIntegerField(null=True, blank=True)
    fios = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = table("tipo_sistema")
        ordering = ["codigo"]
        verbose_name = "tipo de sistema (fases)"
        verbose_name_plural = "tipos de sistema (fases)"

    def __str__(self) -> str:
        return f"{self.codigo} - {self.descricao}"


class ClasseConsumo(models.Model):
    """Consumer class/subclass (BDGD CLAS_SUB, domain TCLASUBCLA); older codes point at their successor."""

    codigo = models.CharField(max_length=5, primary_key=True)
    descricao = models.CharField("descrição", max_length=200)
    tipo_cliente = models.CharField(max_length=2, choices=TipoCliente.choices, null=True, blank=True)
    alias_de = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="aliases", verbose_name="código atual"
    )

    class Meta:
        db_table = table("classe_consumo")
        ordering = ["codigo"]
        verbose_name = "classe de consumo"
        verbose_name_plural = "classes de consumo"
        constraints = [
            models.CheckConstraint(
                condition=Q(tipo_cliente__in=["PF", "PJ"]), name="classe_consumo_tipo_cliente_pf_pj"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.codigo} - {self.descricao}"


class SegmentoMercado(models.Model):
    codigo = models.CharField(max_length=40, primary_key=True)
    nome = models.CharField(max_length=120)
    descricao = models.TextField("descrição", blank=True)

    class Meta:
        db_table = table("segmento_mercado")
        ordering = ["nome"]
        verbose_name = "segmento de mercado"
        verbose_name_plural = "segmentos de mercado"

    def __str__(self) -> str:
        return self.nome


class Cnae(models.Model):
    """CNAE 2.3 subclass with its hierarchy; CNAE 2.2 codes kept as aliases of their 2.3 successor."""

    subclasse = models.CharField(max_length=9, primary_key=True, help_text="NNNN-N/NN, as in the BDGD")
    descricao = models.CharField("descrição", max_length=300)
    classe = models.CharField(max_length=7)
    classe_descricao = models.CharField(max_length=300)
    grupo = models.CharField(max_length=4)
    grupo_descricao = models.CharField(max_length=300)
    divisao = models.CharField("divisão", max_length=2)
    divisao_descricao = models.CharField(max_length=300)
    secao = models.CharField("seção", max_length=1)
    secao_descricao = models.CharField(max_length=300)
    segmento = models.ForeignKey(SegmentoMercado, on_delete=models.PROTECT, related_name="cnaes")
    alias_de = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="aliases", verbose_name="código 2.3"
    )

    class Meta:
        db_table = table("cnae")
        ordering = ["subclasse"]
        verbose_name = "CNAE"
        verbose_name_plural = "CNAEs"
        indexes = [models.Index(fields=["divisao"], name="cnae_divisao_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subclasse__regex=r"^[0-9]{4}-[0-9]/[0-9]{2}$"), name="cnae_subclasse_formato"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subclasse} - {self.descricao}"


class Tensao(models.Model):
    """Supply voltage codes (BDGD TEN_FORN, domain TTEN) with their value in volts."""

    codigo = models.CharField(max_length=3, primary_key=True)
    volts = models.FloatField(null=True, blank=True)
    descricao = models.CharField("descrição", max_length=60)

    class Meta:
        db_table = table("tensao")
        ordering = ["volts"]
        verbose_name = "tensão"
        verbose_name_plural = "tensões"

    def __str__(self) -> str:
        return self.descricao


# --- Imported data ---


class PontoNotavel(models.Model):
    """A BDGD notable point (PONNOT) or MT/BT transformer (UNTRMT): where consumer units are."""

    pn_id = models.BigIntegerField(primary_key=True, help_text="intel_lead.hash_id(distribuidora, cod_id, ano, fonte)")
    cod_id = models.CharField(max_length=40)
    distribuidora = models.ForeignKey(Distribuidora, on_delete=models.PROTECT, db_index=False)
    ano = models.SmallIntegerField()
    fonte = models.CharField(max_length=6, choices=FontePonto.choices, default=FontePonto.PONNOT)
    tipo = models.CharField(max_length=8, blank=True, help_text="TIP_PN (domain TPONNOT)")
    descricao = models.CharField("descrição", max_length=254, blank=True)
    ficticio = models.BooleanField(default=False, help_text="drawing aid, not a real pole")
    municipio = models.ForeignKey(Municipio, null=True, blank=True, on_delete=models.PROTECT)
    geom = models.PointField(srid=4674, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = table("ponto_notavel")
        verbose_name = "ponto notável"
        verbose_name_plural = "pontos notáveis"
        constraints = [
            models.UniqueConstraint(
                fields=["distribuidora", "ano", "fonte", "cod_id"], name="ponto_notavel_dist_ano_fonte_cod_uniq"
            ),
            models.CheckConstraint(condition=Q(fonte__in=["PONNOT", "UNTRMT"]), name="ponto_notavel_fonte_valida"),
        ]

    def __str__(self) -> str:
        return f"{self.fonte} {self.cod_id} ({self.distribuidora_id}/{self.ano})"


class LeadBruto(models.Model):
    """One consumer unit per reference year and layer, as the BDGD describes it.

    `pac` is the product's "Potência Ativa Contratada" in kW: the contracted demand (`DEM_CONT`) where
    the unit has one, else its installed load (`CAR_INST`). The BDGD column called `PAC` is an electrical
    node code (`UC16004`), not a power: it is kept in `no_pac`.
    """

    uc_id = models.BigIntegerField(
        "identificador (uc_id)",
        primary_key=True,
        help_text="intel_lead.hash_id(distribuidora, cod_id, ano, camada): o mesmo a cada reimportação",
    )
    cod_id = models.CharField(
        "COD_ID", max_length=256, help_text="COD_ID da BDGD, ou a chave derivada quando o arquivo não tem"
    )
    distribuidora = models.ForeignKey(
        Distribuidora, on_delete=models.PROTECT, db_index=False, verbose_name="distribuidora"
    )
    ano = models.SmallIntegerField()
    camada = EnumField("camada", max_length=6, choices=Camada.choices, enum_type="camada_enum")
    status = models.CharField(
        "status de processamento",
        max_length=10,
        choices=StatusProcessamento.choices,
        default=StatusProcessamento.RAW,
        db_default="raw",
    )
    data_conexao = models.DateField("data de conexão", null=True, blank=True)
    data_conexao_placeholder = models.BooleanField(
        "data de conexão fictícia",
        default=False,
        db_default=False,
        help_text="DAT_CON era 01/01/2000, o valor de preenchimento frequente da BDGD",
    )
    cnae = models.ForeignKey(Cnae, null=True, blank=True, on_delete=models.PROTECT, verbose_name="CNAE")
    grupo_tensao = models.ForeignKey(
        GrupoTensao, null=True, blank=True, on_delete=models.PROTECT, db_index=False, verbose_name="grupo de tensão"
    )
    grupo_tarifario = models.ForeignKey(
        GrupoTarifario,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        verbose_name="subgrupo tarifário",
    )
    modalidade_tarifaria = models.ForeignKey(
        ModalidadeTarifaria,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        verbose_name="modalidade tarifária",
    )
    tipo_sistema = models.ForeignKey(
        TipoSistema, null=True, blank=True, on_delete=models.PROTECT, db_index=False, verbose_name="tipo de sistema"
    )
    situacao = models.CharField("situação", max_length=2, choices=Situacao.choices, null=True, blank=True)
    classe_consumo = models.ForeignKey(
        ClasseConsumo, null=True, blank=True, on_delete=models.PROTECT, verbose_name="classe de consumo"
    )
    segmento_mercado = models.ForeignKey(
        SegmentoMercado,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        verbose_name="segmento de mercado",
    )
    municipio = models.ForeignKey(Municipio, null=True, blank=True, on_delete=models.PROTECT, verbose_name="município")
    bairro = models.CharField(max_length=254, null=True, blank=True)
    cep = models.CharField("CEP", max_length=10, null=True, blank=True)
    pac = models.FloatField("PAC (kW)", null=True, blank=True, help_text="DEM_CONT se > 0, senão CAR_INST")
    pn_con = models.CharField("ponto notável de conexão", max_length=40, null=True, blank=True)
    carga_instalada_kw = models.FloatField("carga instalada (kW)", null=True, blank=True, help_text="CAR_INST")
    demanda_contratada_kw = models.FloatField(
        "demanda contratada (kW)", null=True, blank=True, help_text="DEM_CONT (MT/AT)"
    )
    tensao_fornecimento = models.CharField(
        "tensão de fornecimento", max_length=3, null=True, blank=True, help_text="código TEN_FORN (TTEN)"
    )
    area_localizacao = models.CharField("área", max_length=2, choices=AreaLocalizacao.choices, null=True, blank=True)
    livre = models.BooleanField("consumidor livre", null=True, blank=True, help_text="LIV = 1")
    ceg_gd = models.CharField("usina de GD (CEG)", max_length=21, null=True, blank=True)
    no_pac = models.CharField("nó elétrico (PAC da BDGD)", max_length=40, null=True, blank=True)
    ctmt = models.CharField("alimentador", max_length=40, null=True, blank=True)
    uni_tr_mt = models.CharField("transformador MT/BT", max_length=40, null=True, blank=True)
    uni_tr_at = models.CharField("transformador AT", max_length=40, null=True, blank=True)
    sub = models.CharField("subestação", max_length=40, null=True, blank=True)
    conj = models.IntegerField("conjunto DEC/FEC", null=True, blank=True)
    tip_sist = models.CharField("tipo de sistema de fornecimento", max_length=11, null=True, blank=True)
    tip_cc = models.CharField("curva de carga típica", max_length=40, null=True, blank=True)
    codigos_desconhecidos = models.JSONField(
        "códigos desconhecidos",
        default=dict,
        db_default={},
        blank=True,
        help_text="códigos da BDGD fora das tabelas de domínio, por coluna",
    )
    # Yearly figures of the monthly tables, written with them (importer, services.annual_figures_refresh):
    # what lists filter and sort on, without aggregating twelve rows per unit at query time.
    energia_anual_kwh = models.FloatField("energia anual (kWh)", null=True, blank=True)
    demanda_pico_kw = models.FloatField("demanda de pico (kW)", null=True, blank=True)
    media_dic = models.FloatField("média DIC (h/mês)", null=True, blank=True)
    media_fic = models.FloatField("média FIC (por mês)", null=True, blank=True)
    geom = models.PointField(
        "ponto próprio", srid=4674, null=True, blank=True, help_text="o ponto da própria unidade, quando conhecido"
    )
    # The final coordinate as the importer resolved it (same rule as the view lead_com_coordenadas), kept
    # on the row so map and radius searches use a GiST index.
    coordenada = models.PointField("coordenada final", srid=4674, null=True, blank=True)
    fonte_coordenada = models.CharField(
        "fonte da coordenada", max_length=13, choices=FonteCoordenada.choices, null=True, blank=True
    )
    created_at = models.DateTimeField("criado em", auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField("atualizado em", auto_now=True, db_default=Now())

    class Meta:
        # Partitioned by published layer (ano, distribuidora, camada): one table per layer, swapped in whole
        # by the importer (migrations/sql/0008_partitions.sql). uc_id is unique in each layer's table.
        db_table = table("lead_bruto")
        verbose_name = "lead (UC)"
        verbose_name_plural = "leads (UCs)"
        indexes = [
            models.Index(fields=["pn_con"], name="lead_bruto_pn_con_idx"),
            models.Index(fields=["pac"], name="lead_bruto_pac_idx"),
            models.Index(fields=["energia_anual_kwh"], name="lead_bruto_energia_anual_idx"),
            models.Index(fields=["media_dic"], name="lead_bruto_media_dic_idx"),
            models.Index(fields=["media_fic"], name="lead_bruto_media_fic_idx"),
            models.Index(fields=["demanda_pico_kw"], name="lead_bruto_demanda_pico_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(camada="PONNOT"), name="lead_bruto_camada_de_uc"),
            models.CheckConstraint(condition=Q(ano__range=(2000, 2100)), name="lead_bruto_ano_valido"),
            models.CheckConstraint(condition=Q(pac__gte=0) | Q(pac__isnull=True), name="lead_bruto_pac_nao_negativo"),
        ]

    def __str__(self) -> str:
        return f"{self.camada} {self.cod_id[:16]} ({self.distribuidora_id}/{self.ano})"

    @property
    def possui_gd(self) -> bool:
        return bool(self.ceg_gd)

    @property
    def monthly_layer(self) -> dict[str, object]:
        """Filter arguments that prune a monthly query to this unit's layer table."""
        return {"origem": self.camada, "distribuidora_id": self.distribuidora_id, "ano": self.ano}


class LeadEnergiaMensal(models.Model):
    pk = models.CompositePrimaryKey("uc_id", "mes")
    # The foreign key to the unit is declared on each layer's table, towards that layer's units (ON DELETE CASCADE).
    uc = models.ForeignKey(
        LeadBruto, on_delete=models.CASCADE, related_name="energia_mensal", db_index=False, db_constraint=False
    )
    mes = models.SmallIntegerField("mês")
    origem = EnumField(max_length=4, choices=Origem.choices, enum_type="origem_enum")
    # With origem, the unit's layer: the partition key, as on lead_bruto.
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    energia_ponta_kwh = models.FloatField(null=True, blank=True)
    energia_fora_ponta_kwh = models.FloatField(null=True, blank=True)
    energia_total_kwh = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = table("lead_energia_mensal")
        ordering = ["uc_id", "mes"]
        verbose_name = "energia mensal"
        verbose_name_plural = "energia mensal"
        constraints = [models.CheckConstraint(condition=Q(mes__range=(1, 12)), name="lead_energia_mensal_mes_1_12")]


class LeadDemandaMensal(models.Model):
    pk = models.CompositePrimaryKey("uc_id", "mes")
    # The foreign key to the unit is declared on each layer's table, towards that layer's units (ON DELETE CASCADE).
    uc = models.ForeignKey(
        LeadBruto, on_delete=models.CASCADE, related_name="demanda_mensal", db_index=False, db_constraint=False
    )
    mes = models.SmallIntegerField("mês")
    origem = EnumField(max_length=4, choices=Origem.choices, enum_type="origem_enum")
    # With origem, the unit's layer: the partition key, as on lead_bruto.
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    demanda_ponta_kw = models.FloatField(null=True, blank=True)
    demanda_fora_ponta_kw = models.FloatField(null=True, blank=True)
    demanda_total_kw = models.FloatField(null=True, blank=True)
    demanda_contratada_kw = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = table("lead_demanda_mensal")
        ordering = ["uc_id", "mes"]
        verbose_name = "demanda mensal"
        verbose_name_plural = "demanda mensal"
        constraints = [models.CheckConstraint(condition=Q(mes__range=(1, 12)), name="lead_demanda_mensal_mes_1_12")]


class LeadQualidadeMensal(models.Model):
    pk = models.CompositePrimaryKey("uc_id", "mes")
    # The foreign key to the unit is declared on each layer's table, towards that layer's units (ON DELETE CASCADE).
    uc = models.ForeignKey(
        LeadBruto, on_delete=models.CASCADE, related_name="qualidade_mensal", db_index=False, db_constraint=False
    )
    mes = models.SmallIntegerField("mês")
    origem = EnumField(max_length=4, choices=Origem.choices, enum_type="origem_enum")
    # With origem, the unit's layer: the partition key, as on lead_bruto.
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    dic_h = models.FloatField("DIC (h)", null=True, blank=True)
    fic = models.FloatField("FIC", null=True, blank=True)
    semrede = models.BooleanField(null=True, blank=True, help_text="BDGD SEMRED")

    class Meta:
        db_table = table("lead_qualidade_mensal")
        ordering = ["uc_id", "mes"]
        verbose_name = "qualidade mensal"
        verbose_name_plural = "qualidade mensal"
        constraints = [models.CheckConstraint(condition=Q(mes__range=(1, 12)), name="lead_qualidade_mensal_mes_1_12")]


class LeadUnidade(models.Model):
    """Every unit imported, whatever its layer: where it lives, and what survives its layer's re-import.

    Written by the importer set-based at each layer swap (and by a trigger for rows written otherwise).
    Results keyed by uc_id (enrichment, scores, anomalies) reference it with ON DELETE CASCADE, so they
    stay when a layer is replaced and go only with units that left the file. A lookup by uc_id alone
    reads it to reach the one layer table that holds the unit.
    """

    uc_id = models.BigIntegerField(primary_key=True)
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    camada = EnumField(max_length=6, choices=Camada.choices, enum_type="camada_enum")
    # When the unit first appeared (kept across its layer's re-imports): what a "new unit" alert compares.
    registrada_em = models.DateTimeField("registrada em", db_default=Now())

    class Meta:
        db_table = table("lead_unidade")
        # New-unit alerts look up the units registered after a rule's creation: a handful of the millions.
        # Units are appended as layers arrive, so the table is in registration order and a BRIN index
        # finds them; a B-tree cost 1.4 s of each million units an import registers.
        indexes = [BrinIndex(fields=["registrada_em"], name="lead_unidade_registrada_brin", autosummarize=True)]
        verbose_name = "unidade registrada"
        verbose_name_plural = "unidades registradas"

    def __str__(self) -> str:
        return f"{self.uc_id} ({self.camada} {self.distribuidora_id}/{self.ano})"

    @property
    def layer(self) -> dict[str, object]:
        """Filter arguments that prune a lead_bruto or monthly query to this unit's layer table."""
        return {"distribuidora_id": self.distribuidora_id, "ano": self.ano}


class LeadEnrichmentLog(models.Model):
    # In the database the log references lead_unidade (ON DELETE CASCADE): it survives re-imports.
    uc = models.ForeignKey(LeadBruto, on_delete=models.CASCADE, related_name="enrichment_log", db_constraint=False)
    etapa = models.CharField(max_length=40)
    resultado = EnumField(max_length=7, choices=Resultado.choices, enum_type="resultado_enum")
    detalhes = models.JSONField(default=dict, db_default={}, blank=True)
    executado_em = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = table("lead_enrichment_log")
        ordering = ["-executado_em"]
        verbose_name = "registro de enriquecimento"
        verbose_name_plural = "registros de enriquecimento"

    def __str__(self) -> str:
        return f"{self.uc_id} {self.etapa}: {self.resultado}"


class MetodoIdentidade(models.TextChoices):
    CCEE = "ccee", "CCEE (carga do mercado livre)"
    GD = "gd", "GD (titular da usina)"
    PROBABILISTICO = "probabilistico", "Cadastro CNPJ (probabilístico)"


class Revisao(models.TextChoices):
    CONFIRMADA = "confirmada", "Confirmada"
    REJEITADA = "rejeitada", "Rejeitada"


class LeadIdentidade(models.Model):
    """The company a unit is, as the enrichment decided it (leads.enrichment): the CNPJ on success, the
    company (cnpj_basico) when only it is clear, the candidates with their probabilities and the Receita
    release used. One row a unit, rewritten by each run unless staff reviewed it (`revisao`): a review
    wins over later runs. It references lead_unidade (ON DELETE CASCADE): kept across re-imports."""

    uc = models.OneToOneField(
        LeadUnidade, on_delete=models.CASCADE, primary_key=True, db_constraint=False, related_name="identidade"
    )
    # The unit's row (no database column): exports join the identity once instead of a subquery a column.
    lead = models.ForeignObject(
        LeadBruto, on_delete=models.DO_NOTHING, from_fields=["uc_id"], to_fields=["uc_id"], related_name="identidades"
    )
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    cnpj = models.CharField("CNPJ", max_length=14, null=True, blank=True)
    cnpj_basico = models.CharField("CNPJ básico (empresa)", max_length=8, null=True, blank=True)
    metodo = models.CharField("método", max_length=14, choices=MetodoIdentidade.choices)
    resultado = EnumField(max_length=7, choices=Resultado.choices, enum_type="resultado_enum")
    motivo = models.CharField(max_length=40, blank=True, default="", db_default="")
    probabilidade = models.FloatField(null=True, blank=True)
    margem = models.FloatField("margem (bits)", null=True, blank=True, help_text="sobre o segundo colocado")
    candidatos = models.JSONField(default=list, db_default=[], blank=True)
    release = models.DateField("versão do cadastro CNPJ", null=True, blank=True)
    # The company as the register (or the exact route) names it, copied at each rebuild: lists filter and
    # export on them without reading the register, and they stay what the decision saw.
    razao_social = models.CharField("razão social", max_length=200, null=True, blank=True)
    nome_fantasia = models.CharField(max_length=200, null=True, blank=True)
    porte = models.SmallIntegerField(
        null=True, blank=True, choices=[(0, "não informado"), (1, "microempresa"), (3, "pequeno porte"), (5, "demais")]
    )
    mei = models.BooleanField("MEI", null=True, blank=True)
    revisao = models.CharField("revisão", max_length=10, choices=Revisao.choices, null=True, blank=True)
    # No database constraint: intel_lead tables do not reference the application's users (a user's removal
    # clears it through the ORM).
    revisado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    revisado_em = models.DateTimeField(null=True, blank=True)
    atualizado_em = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = table("lead_identidade")
        verbose_name = "identidade (CNPJ)"
        verbose_name_plural = "identidades (CNPJ)"
        indexes = [
            models.Index(fields=["cnpj"], name="lead_identidade_cnpj_idx"),
            models.Index(fields=["cnpj_basico"], name="lead_identidade_basico_idx"),
            models.Index(fields=["distribuidora_id", "ano"], name="lead_identidade_camada_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cnpj__regex=r"^[0-9A-Z]{12}[0-9]{2}$") | Q(cnpj__isnull=True), name="lead_identidade_cnpj"
            ),
            models.CheckConstraint(
                condition=Q(metodo__in=["ccee", "gd", "probabilistico"]), name="lead_identidade_metodo"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uc_id}: {self.cnpj or self.cnpj_basico or '-'} ({self.resultado})"


class LeadMercadoLivre(models.Model):
    """A unit found among CCEE's free-market loads (the `ccee` enrichment step): already free, whatever
    the BDGD's LIV says. Keyed by uc_id (references lead_unidade, ON DELETE CASCADE)."""

    uc = models.OneToOneField(
        LeadUnidade, on_delete=models.CASCADE, primary_key=True, db_constraint=False, related_name="mercado_livre"
    )
    lead = models.ForeignObject(
        LeadBruto,
        on_delete=models.DO_NOTHING,
        from_fields=["uc_id"],
        to_fields=["uc_id"],
        related_name="mercados_livres",
    )
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    cnpj = models.CharField("CNPJ da carga", max_length=14)
    data_migracao = models.DateField("data de migração", null=True, blank=True)
    referencia = models.CharField("mês de referência CCEE", max_length=10, blank=True)
    atualizado_em = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = table("lead_mercado_livre")
        verbose_name = "unidade no mercado livre (CCEE)"
        verbose_name_plural = "unidades no mercado livre (CCEE)"
        indexes = [models.Index(fields=["distribuidora_id", "ano"], name="lead_mercado_livre_camada_idx")]

    def __str__(self) -> str:
        return f"{self.uc_id}: livre desde {self.data_migracao or '?'}"


class FormatoExportacao(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class Exportacao(models.Model):
    """A filtered list written to a file by a Celery job; only its owner sees it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dono = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exportacoes")
    formato = models.CharField(max_length=4, choices=FormatoExportacao.choices)
    filtros = models.JSONField(default=dict, blank=True, help_text="query parameters of the list")
    status = EnumField(
        max_length=9, enum_type="status_enum", choices=StatusImportacao.choices, default=StatusImportacao.PENDING
    )
    linhas_escritas = models.BigIntegerField(default=0)
    arquivo = models.CharField(max_length=500, blank=True)
    erro = models.TextField(blank=True)
    criado_em = models.DateTimeField(auto_now_add=True)
    finalizado_em = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Application bookkeeping tied to users (public schema, beside auth), not BDGD data.
        db_table = "leads_exportacao"
        ordering = ["-criado_em"]
        verbose_name = "exportação"
        verbose_name_plural = "exportações"

    def __str__(self) -> str:
        return f"{self.formato} {self.id} ({self.status})"


class SelecaoMapa(models.Model):
    """An area drawn on the map with the filters in force, saved under a name; only its owner sees it."""

    dono = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="selecoes_mapa")
    nome = models.CharField(max_length=120)
    geometria = models.MultiPolygonField(srid=4674)
    filtros = models.JSONField(default=dict, blank=True, help_text="query parameters of the list")
    criado_em = models.DateTimeField(auto_now_add=True)
    atualizado_em = models.DateTimeField(auto_now=True)

    class Meta:
        # Application bookkeeping tied to users (public schema, beside auth), like the exports.
        db_table = "leads_selecao_mapa"
        ordering = ["-atualizado_em"]
        verbose_name = "seleção do mapa"
        verbose_name_plural = "seleções do mapa"
        constraints = [models.UniqueConstraint(fields=["dono", "nome"], name="selecao_mapa_nome_unico")]

    def __str__(self) -> str:
        return self.nome


# --- Read models over views (managed = False; SQL in migrations/sql/) ---


class LeadComCoordenadas(models.Model):
    uc = models.OneToOneField(
        LeadBruto, primary_key=True, on_delete=models.DO_NOTHING, db_column="uc_id", related_name="coordenada_view"
    )
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    camada = models.CharField(max_length=6, choices=Camada.choices)
    fonte_coordenada = models.CharField(max_length=20, null=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    geom = models.PointField(srid=4674, null=True)

    class Meta:
        managed = False
        db_table = table("lead_com_coordenadas")


class LeadCompletoDetalhado(models.Model):
    uc = models.OneToOneField(
        LeadBruto, primary_key=True, on_delete=models.DO_NOTHING, db_column="uc_id", related_name="detalhado"
    )
    cod_id = models.CharField(max_length=256)
    distribuidora_id = models.IntegerField()
    distribuidora_nome = models.CharField(max_length=120)
    ano = models.SmallIntegerField()
    camada = models.CharField(max_length=6, choices=Camada.choices)
    status = models.CharField(max_length=10)
    situacao = models.CharField(max_length=2, null=True)
    classe_consumo = models.CharField(max_length=5, null=True)
    classe_consumo_descricao = models.CharField(max_length=200, null=True)
    tipo_cliente = models.CharField(max_length=2, null=True)
    cnae = models.CharField(max_length=9, null=True)
    cnae_descricao = models.CharField(max_length=300, null=True)
    segmento_mercado = models.CharField(max_length=40, null=True)
    segmento_mercado_nome = models.CharField(max_length=120, null=True)
    municipio = models.CharField(max_length=7, null=True)
    municipio_nome = models.CharField(max_length=80, null=True)
    uf = models.CharField(max_length=2, null=True)
    pac = models.FloatField(null=True)
    energia_anual_kwh = models.FloatField(null=True)
    demanda_pico_kw = models.FloatField(null=True)
    media_dic = models.FloatField(null=True)
    media_fic = models.FloatField(null=True)
    enriquecimento_status = models.CharField(max_length=7, null=True)
    fonte_coordenada = models.CharField(max_length=20, null=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    livre = models.BooleanField(null=True)
    livre_fonte = models.CharField(max_length=4, null=True)
    data_migracao = models.DateField(null=True)
    cnpj = models.CharField(max_length=14, null=True)
    cnpj_basico = models.CharField(max_length=8, null=True)
    identidade_resultado = models.CharField(max_length=7, null=True)
    identidade_metodo = models.CharField(max_length=14, null=True)
    identidade_probabilidade = models.FloatField(null=True)
    razao_social = models.CharField(max_length=200, null=True)
    nome_fantasia = models.CharField(max_length=200, null=True)
    porte = models.SmallIntegerField(null=True)
    mei = models.BooleanField(null=True)
    populacao = models.IntegerField(null=True)
    pib_per_capita = models.FloatField(null=True)
    idhm = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = table("vw_lead_completo_detalhado")


class ResumoEnergiaMunicipio(models.Model):
    chave = models.CharField(max_length=20, primary_key=True)
    municipio = models.ForeignKey(Municipio, on_delete=models.DO_NOTHING, db_constraint=False)
    nome = models.CharField(max_length=80)
    uf = models.CharField(max_length=2)
    ano = models.SmallIntegerField()
    n_ucs = models.BigIntegerField()
    n_ativas = models.BigIntegerField()
    n_pj = models.BigIntegerField()
    energia_anual_kwh = models.FloatField(null=True)
    pac_total_kw = models.FloatField(null=True)
    media_dic = models.FloatField(null=True)
    media_fic = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = table("resumo_energia_por_municipio")
        verbose_name = "resumo por município"
        verbose_name_plural = "resumos por município"


class ResumoDistribuidoraAno(models.Model):
    chave = models.CharField(max_length=30, primary_key=True)
    distribuidora = models.ForeignKey(Distribuidora, on_delete=models.DO_NOTHING, db_constraint=False)
    nome = models.CharField(max_length=120)
    ano = models.SmallIntegerField()
    camada = models.CharField(max_length=6, choices=Camada.choices)
    n_ucs = models.BigIntegerField()
    n_ativas = models.BigIntegerField()
    n_livres = models.BigIntegerField()
    n_com_gd = models.BigIntegerField()
    energia_anual_kwh = models.FloatField(null=True)
    pac_total_kw = models.FloatField(null=True)
    media_dic = models.FloatField(null=True)
    media_fic = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = table("resumo_distribuidora_ano")
        verbose_name = "resumo por distribuidora e ano"
        verbose_name_plural = "resumos por distribuidora e ano"


class ResumoSegmento(models.Model):
    chave = models.CharField(max_length=60, primary_key=True)
    distribuidora = models.ForeignKey(Distribuidora, on_delete=models.DO_NOTHING, db_constraint=False)
    ano = models.SmallIntegerField()
    segmento_mercado = models.ForeignKey(SegmentoMercado, null=True, on_delete=models.DO_NOTHING, db_constraint=False)
    n_ucs = models.BigIntegerField()
    n_livres = models.BigIntegerField()
    energia_anual_kwh = models.FloatField(null=True)
    pac_total_kw = models.FloatField(null=True)
    media_dic = models.FloatField(null=True)
    media_fic = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = table("resumo_segmento")
        verbose_name = "resumo por segmento"
        verbose_name_plural = "resumos por segmento"


# --- Tariffs, load curves and lead scores ----------------------------------------------------------


class Tarifa(models.Model):
    """A row of ANEEL's "Tarifas de Aplicação" dataset: TUSD and TE of a distributor, subgroup, modality
    and tariff post, in force between two dates. Values as published: R$/MWh (energy) or R$/kW (demand)."""

    agente = models.CharField("distribuidora (SigAgente)", max_length=80)
    cnpj = models.CharField("CNPJ da distribuidora", max_length=14, blank=True)
    reh = models.CharField("resolução homologatória", max_length=200, blank=True)
    inicio = models.DateField("início da vigência")
    fim = models.DateField("fim da vigência", null=True, blank=True)
    base = models.CharField("base tarifária", max_length=40)
    subgrupo = models.CharField(max_length=10)
    modalidade = models.CharField(max_length=40)
    classe = models.CharField(max_length=80)
    subclasse = models.CharField(max_length=120)
    detalhe = models.CharField(max_length=120)
    posto = models.CharField("posto tarifário", max_length=40)
    unidade = models.CharField(max_length=10)
    acessante = models.CharField(max_length=80)
    tusd = models.FloatField("TUSD")
    te = models.FloatField("TE")

    class Meta:
        db_table = table("tarifa")
        verbose_name = "tarifa"
        verbose_name_plural = "tarifas"
        constraints = [
            models.UniqueConstraint(
                fields=["agente", "inicio", "base", "subgrupo", "modalidade", "classe", "subclasse", "detalhe",
                        "posto", "unidade", "acessante"],
                name="tarifa_chave",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["agente", "subgrupo", "modalidade", "inicio"], name="tarifa_vigencia_idx")]

    def __str__(self) -> str:
        return f"{self.agente} {self.subgrupo} {self.modalidade} {self.posto} ({self.inicio})"


class CurvaCarga(models.Model):
    """A typical load curve of a distributor's BDGD (layer CRVCRG): 96 quarter hours of one day type,
    named by the units' TIP_CC. Written by the importer with the unit layers."""

    distribuidora = models.ForeignKey(Distribuidora, on_delete=models.PROTECT, db_index=False)
    ano = models.SmallIntegerField()
    cod_id = models.CharField("curva (TIP_CC)", max_length=40)
    tipo_dia = models.CharField("tipo de dia", max_length=2, help_text="DU dia útil, SA sábado, DO domingo")
    potencias = ArrayField(models.FloatField(), size=96, help_text="POT_01..POT_96, kW")

    class Meta:
        db_table = table("curva_carga")
        verbose_name = "curva de carga típica"
        verbose_name_plural = "curvas de carga típicas"
        constraints = [
            models.UniqueConstraint(fields=["distribuidora", "ano", "cod_id", "tipo_dia"], name="curva_carga_chave")
        ]

    def __str__(self) -> str:
        return f"{self.cod_id} {self.tipo_dia} ({self.distribuidora_id}/{self.ano})"


class JanelaPonta(models.Model):
    """A distributor's peak window (three consecutive weekday hours); 18–21 h where none is recorded."""

    distribuidora = models.OneToOneField(Distribuidora, on_delete=models.CASCADE, primary_key=True)
    inicio = models.TimeField("início da ponta")
    fim = models.TimeField("fim da ponta")
    fonte = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = table("janela_ponta")
        verbose_name = "janela de ponta"
        verbose_name_plural = "janelas de ponta"

    def __str__(self) -> str:
        return f"{self.distribuidora_id}: {self.inicio:%H:%M}–{self.fim:%H:%M}"


class ParametrosUnicos(models.Model):
    """Parameters kept in one row (pk 1), edited in the admin."""

    atualizado_em = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def atual(cls) -> Self:
        """The row in use (created with the defaults the first time)."""
        return cls._default_manager.get_or_create(pk=1)[0]


class ParametrosScore(ParametrosUnicos):
    """The scoring parameters, one row, edited in the admin; each field's default is the spec's.

    A change is recorded with the scores it produced (their detail carries the parameters used)."""

    preco_energia_livre = models.FloatField("preço da energia no ACL (R$/MWh)", default=230.0)
    encargos_acl = models.FloatField("encargos do ACL (R$/MWh)", default=25.0)
    taxa_varejista = models.FloatField("gestão/varejista (R$/mês)", default=1500.0)
    icms = models.FloatField("ICMS", default=0.18)
    pis_cofins = models.FloatField("PIS/COFINS", default=0.0925)
    custo_bess = models.FloatField("custo da bateria (R$/kWh)", default=3000.0)
    eficiencia = models.FloatField("eficiência de ida e volta", default=0.88)
    profundidade = models.FloatField("profundidade de descarga", default=0.9)
    dias_uteis = models.IntegerField("dias úteis por ano", default=250)
    custo_ciclo = models.FloatField("custo de ciclo (R$/kWh)", default=0.05)
    bess_minimo_kwh = models.FloatField("bateria mínima (kWh)", default=100.0)
    custo_diesel = models.FloatField("custo do diesel na ponta (R$/kWh)", default=1.60)
    # Unserved energy and per-event costs by criticality (R$/kWh; R$/kW per interruption): the
    # regulatory compensation is a floor, these stand for what an outage costs the customer.
    voll_critico = models.FloatField("custo da energia não suprida, crítico (R$/kWh)", default=25.0)
    voll_comum = models.FloatField("custo da energia não suprida, demais (R$/kWh)", default=8.0)
    custo_evento_critico = models.FloatField("custo por interrupção, crítico (R$/kW)", default=12.0)
    custo_evento_comum = models.FloatField("custo por interrupção, demais (R$/kW)", default=3.0)
    # Tariffs used when a unit's distributor has none in force (R$/MWh; A4 Verde order of magnitude).
    tarifa_ponta = models.FloatField("tarifa padrão na ponta, TUSD+TE (R$/MWh)", default=2100.0)
    tarifa_fora_ponta = models.FloatField("tarifa padrão fora da ponta, TUSD+TE (R$/MWh)", default=480.0)
    te_ponta = models.FloatField("TE padrão na ponta (R$/MWh)", default=450.0)
    te_fora_ponta = models.FloatField("TE padrão fora da ponta (R$/MWh)", default=280.0)

    class Meta:
        db_table = table("parametros_score")
        verbose_name = "parâmetros de pontuação"
        verbose_name_plural = "parâmetros de pontuação"


class Oferta(models.TextChoices):
    ACL = "acl", "Migração ACL"
    ARBITRAGEM = "arbitragem", "Arbitragem"
    BACKUP = "backup", "Backup"
    GTD = "gtd", "GTD (grandes contas)"


class ScoreExecucao(models.Model):
    """One run of the scoring: its scope, the parameters and formula version it used, how long it took."""

    versao = models.CharField("versão da fórmula", max_length=20)
    parametros = models.JSONField()
    distribuidora_id = models.IntegerField(null=True, blank=True)
    ano = models.SmallIntegerField(null=True, blank=True)
    unidades = models.BigIntegerField(default=0)
    duracao_s = models.FloatField(null=True, blank=True)
    k_segmentos = models.SmallIntegerField("número de segmentos", null=True, blank=True)
    silhuetas = models.JSONField(default=dict, blank=True, help_text="silhouette per k tried (the criterion)")
    ativa = models.BooleanField(default=True, help_text="no later run covers its scope")
    calculado_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = table("score_execucao")
        ordering = ["-calculado_em"]
        verbose_name = "execução da pontuação"
        verbose_name_plural = "execuções da pontuação"

    def __str__(self) -> str:
        return f"pontuação {self.versao} de {self.calculado_em:%d/%m/%Y %H:%M}"


class SegmentoAutomatico(models.Model):
    """A segment of units found by k-means in a scoring run (leads.segmentos), with a generated label
    and its aggregate figures."""

    execucao = models.ForeignKey(ScoreExecucao, on_delete=models.CASCADE, related_name="segmentos")
    numero = models.SmallIntegerField()
    rotulo = models.CharField("rótulo", max_length=160)
    n_ucs = models.BigIntegerField("unidades")
    energia_total_kwh = models.FloatField("energia total (kWh/ano)")
    energia_mediana_kwh = models.FloatField("energia mediana (kWh/ano)")
    fator_carga_mediano = models.FloatField("fator de carga mediano")
    ponta_mediana = models.FloatField("participação mediana da ponta")
    participacao_tipo = models.FloatField("participação do tipo dominante")
    score_acl_medio = models.FloatField(null=True, blank=True)
    score_arbitragem_medio = models.FloatField(null=True, blank=True)
    score_backup_medio = models.FloatField(null=True, blank=True)
    score_gtd_medio = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = table("segmento_automatico")
        ordering = ["execucao", "numero"]
        verbose_name = "segmento automático"
        verbose_name_plural = "segmentos automáticos"

    def __str__(self) -> str:
        return self.rotulo


class LeadScore(models.Model):
    """A unit's scores for the four offers, 0–100, with the R$ a year behind each, reason codes and
    every input, intermediate and parameter (`detalhe`). Rewritten by `score_leads` after each import,
    enrichment or tariff change; it references lead_unidade (ON DELETE CASCADE), so a re-import of the
    unit's layer keeps it and only units that left the file lose theirs."""

    uc = models.OneToOneField(LeadUnidade, on_delete=models.CASCADE, primary_key=True, db_constraint=False)
    distribuidora_id = models.IntegerField()
    ano = models.SmallIntegerField()
    camada = EnumField(max_length=6, choices=Camada.choices, enum_type="camada_enum")
    # The unit's row, joined on its layer's columns too, so a list ordered by a score reads one layer
    # table per unit (run-time partition pruning) instead of probing every layer's.
    lead = models.ForeignObject(
        LeadBruto,
        on_delete=models.DO_NOTHING,
        from_fields=["uc_id", "distribuidora_id", "ano", "camada"],
        to_fields=["uc_id", "distribuidora_id", "ano", "camada"],
        related_name="scores",
    )
    score_acl = models.SmallIntegerField("score ACL", null=True, blank=True)
    valor_acl = models.FloatField("economia ACL (R$/ano)", null=True, blank=True)
    elegivel_acl_desde = models.DateField("elegível ao ACL desde", null=True, blank=True)
    score_arbitragem = models.SmallIntegerField("score arbitragem", null=True, blank=True)
    valor_arbitragem = models.FloatField("margem de arbitragem (R$/ano)", null=True, blank=True)
    payback_arbitragem = models.FloatField("payback da bateria (anos)", null=True, blank=True)
    score_backup = models.SmallIntegerField("score backup", null=True, blank=True)
    valor_backup = models.FloatField("custo evitado de interrupções (R$/ano)", null=True, blank=True)
    score_gtd = models.SmallIntegerField("score GTD", null=True, blank=True)
    valor_gtd = models.FloatField("valor GTD (R$/ano)", null=True, blank=True)
    melhor_oferta = models.CharField(max_length=10, choices=Oferta.choices, null=True, blank=True)
    razoes_bits = models.BigIntegerField(
        "razões", default=0, help_text="reason codes, a bit each (scoring.RAZOES_BITS)"
    )
    # The unit's inputs and intermediates (scoring.DETALHE), typed: cheap to write for millions of units.
    energia_kwh = models.FloatField(null=True)
    ponta = models.FloatField("participação da ponta", null=True)
    energia_ponta_kwh = models.FloatField(null=True)
    fonte_ponta = models.CharField(max_length=10, default="presumida", help_text="ucat, curva or presumida")
    fator_carga = models.FloatField(null=True)
    fator_carga_ponta = models.FloatField(null=True)
    demanda_kw = models.FloatField(null=True)
    bateria_kwh = models.FloatField(null=True)
    ganho_rs_kwh = models.FloatField(null=True)
    tarifa_ponta_rs_kwh = models.FloatField(null=True)
    tarifa_fora_ponta_rs_kwh = models.FloatField(null=True)
    fonte_tarifa = models.CharField(max_length=120, default="parametros")
    dic_ano_h = models.FloatField(null=True)
    fic_ano = models.FloatField(null=True)
    energia_nao_suprida_kwh = models.FloatField(null=True)
    criticidade = models.FloatField(null=True)
    # Written with their run in one transaction: no database constraint (a deferred one would check a
    # million rows at commit).
    execucao = models.ForeignKey(
        ScoreExecucao, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        help_text="parameters and version used",
    )  # fmt: skip
    segmento = models.ForeignKey(
        SegmentoAutomatico, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="unidades",
    )  # fmt: skip

    class Meta:
        db_table = table("lead_score")
        verbose_name = "score de lead"
        verbose_name_plural = "scores de leads"
        # One index per offer in the lists' exact order (score, then uc_id: scores tie often), carrying the
        # layer: a ranking reads it in order, and a ranking within a distributor-year filters on its
        # entries without visiting the rows.
        indexes = [
            models.Index(
                fields=[f"-score_{oferta}", "uc_id"],
                include=["distribuidora_id", "ano"],
                name=f"lead_score_{oferta}_idx",
            )
            for oferta in ("acl", "arbitragem", "backup", "gtd")
        ]

    def __str__(self) -> str:
        return f"scores de {self.uc_id}"

    @property
    def razoes(self) -> dict[str, list[str]]:
        """Reason codes per offer."""
        from . import scoring

        return scoring.razoes(self.razoes_bits)

    @property
    def detalhe(self) -> dict[str, object]:
        """The inputs and intermediates the scores rest on."""
        from . import scoring

        return {name: getattr(self, name) for name in scoring.DETALHE}


# The registers' models live in a module of their own; re-exported so `leads.models` stays the one place.
from .cadastros import CceeCarga as CceeCarga  # noqa: E402
from .cadastros import CnpjEmpresa as CnpjEmpresa  # noqa: E402
from .cadastros import CnpjEstabelecimento as CnpjEstabelecimento  # noqa: E402
from .cadastros import CnpjRelease as CnpjRelease  # noqa: E402
from .cadastros import CnpjSimples as CnpjSimples  # noqa: E402
from .cadastros import GdEmpreendimento as GdEmpreendimento  # noqa: E402
from .cadastros import StatusRelease as StatusRelease  # noqa: E402
