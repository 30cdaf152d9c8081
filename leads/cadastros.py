"""Public registers the platform matches units against: Receita's CNPJ open data (one release at a
time), CCEE's free-market load parcels and ANEEL's distributed-generation plants.

These tables are written only by the importers in `ingestion` (COPY into staging, then a swap or a
set-based upsert); the enrichment steps read them. Municipality codes are the 7-digit IBGE codes as
text, the same type as `lead_bruto.municipio_id`, so the two join without a cast.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from .fields import FixedCharField
from .models import table  # leads.models imports this module at its end, after defining table()


class StatusRelease(models.TextChoices):
    CARREGANDO = "carregando", "Carregando"
    ATIVA = "ativa", "Ativa"
    SUBSTITUIDA = "substituida", "Substituída"
    FALHOU = "falhou", "Falhou"


class CnpjRelease(models.Model):
    """One monthly release of Receita's CNPJ open data; at most one is `ativa` at a time."""

    referencia = models.DateField("mês de referência", unique=True, help_text="first day of the release month")
    origem = models.TextField("origem", help_text="folder, files or URL the release was read from")
    status = models.CharField(max_length=12, choices=StatusRelease.choices, default=StatusRelease.CARREGANDO)
    iniciada_em = models.DateTimeField("iniciada em", db_default=Now())
    concluida_em = models.DateTimeField("concluída em", null=True, blank=True)
    estabelecimentos = models.BigIntegerField("estabelecimentos ativos", null=True, blank=True)
    empresas = models.BigIntegerField(null=True, blank=True)
    simples = models.BigIntegerField(null=True, blank=True)
    erro = models.TextField(blank=True, default="")
    assinatura = models.CharField(
        max_length=64, blank=True, default="", help_text="SHA-256 of the files' names and sizes: a re-run is a no-op"
    )
    arquivos = models.JSONField(default=list, blank=True, help_text="[{nome, bytes, linhas}] per file read")

    class Meta:
        db_table = table("cnpj_release")
        ordering = ["-referencia"]
        verbose_name = "release do CNPJ (Receita)"
        verbose_name_plural = "releases do CNPJ (Receita)"
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="ativa"), name="cnpj_release_uma_ativa"),
            models.CheckConstraint(
                condition=Q(status__in=["carregando", "ativa", "substituida", "falhou"]),
                name="cnpj_release_status_valido",
            ),
        ]

    def __str__(self) -> str:
        return f"CNPJ {self.referencia:%Y-%m} ({self.status})"


class CnpjEmpresa(models.Model):
    """A company (Empresas files), keyed by the CNPJ's first eight digits."""

    cnpj_basico = FixedCharField("CNPJ básico", max_length=8, primary_key=True)
    razao_social = models.TextField("razão social")
    natureza_juridica = models.SmallIntegerField("natureza jurídica", null=True)
    qualificacao_responsavel = models.SmallIntegerField("qualificação do responsável", null=True)
    capital_social = models.DecimalField("capital social (R$)", max_digits=18, decimal_places=2, null=True)
    porte = models.SmallIntegerField(
        null=True, help_text="Receita: 0 não informado, 1 micro empresa, 3 empresa de pequeno porte, 5 demais"
    )
    ente_federativo = models.TextField("ente federativo responsável", blank=True, default="")

    class Meta:
        db_table = table("cnpj_empresa")
        verbose_name = "empresa (CNPJ)"
        verbose_name_plural = "empresas (CNPJ)"

    def __str__(self) -> str:
        return f"{self.cnpj_basico} {self.razao_social}"


class CnpjEstabelecimento(models.Model):
    """An active establishment (situação cadastral 02) of the active release."""

    cnpj = FixedCharField("CNPJ", max_length=14, primary_key=True)
    cnpj_basico = FixedCharField("CNPJ básico", max_length=8)
    matriz = models.BooleanField(help_text="identificador matriz/filial = 1")
    nome_fantasia = models.TextField(blank=True, default="")
    situacao = models.SmallIntegerField("situação cadastral")
    data_situacao = models.DateField("data da situação", null=True)
    data_inicio = models.DateField("início da atividade", null=True)
    cnae_principal = FixedCharField("CNAE principal", max_length=7)
    cnae_secundarias = ArrayField(models.CharField(max_length=7), default=list, verbose_name="CNAEs secundárias")
    tipo_logradouro = models.TextField(blank=True, default="")
    logradouro = models.TextField(blank=True, default="")
    numero = models.TextField("número", blank=True, default="")
    complemento = models.TextField(blank=True, default="")
    bairro = models.TextField(blank=True, default="")
    cep = FixedCharField("CEP", max_length=8, null=True)
    uf = FixedCharField("UF", max_length=2)
    municipio_tom = FixedCharField("município (código TOM)", max_length=4)
    municipio_ibge = models.CharField("município (IBGE)", max_length=7, null=True)
    telefone1 = models.TextField(blank=True, default="")
    telefone2 = models.TextField(blank=True, default="")
    email = models.TextField("e-mail", blank=True, default="")

    class Meta:
        db_table = table("cnpj_estabelecimento")
        verbose_name = "estabelecimento (CNPJ)"
        verbose_name_plural = "estabelecimentos (CNPJ)"
        indexes = [
            # The matcher's blocks: a municipality's subclass, walked in CEP order from the unit's CEP.
            models.Index(fields=["municipio_ibge", "cnae_principal", "cep", "cnpj"], name="cnpj_estab_mun_cnae_idx"),
            models.Index(fields=["cep"], name="cnpj_estab_cep_idx"),
            models.Index(fields=["cnpj_basico"], name="cnpj_estab_basico_idx"),
            GinIndex(fields=["cnae_secundarias"], name="cnpj_estab_cnae_sec_gin"),
        ]

    def __str__(self) -> str:
        return self.cnpj


class CnpjSimples(models.Model):
    """Simples Nacional and MEI options of a company."""

    cnpj_basico = FixedCharField("CNPJ básico", max_length=8, primary_key=True)
    opcao_simples = models.BooleanField("optante do Simples", null=True)
    data_opcao_simples = models.DateField(null=True)
    data_exclusao_simples = models.DateField(null=True)
    opcao_mei = models.BooleanField("MEI", null=True)
    data_opcao_mei = models.DateField(null=True)
    data_exclusao_mei = models.DateField(null=True)

    class Meta:
        db_table = table("cnpj_simples")
        verbose_name = "opção pelo Simples/MEI"
        verbose_name_plural = "opções pelo Simples/MEI"

    def __str__(self) -> str:
        return self.cnpj_basico


class CceeCarga(models.Model):
    """A free-market consumer load parcel in one month (CCEE "parcela de carga – consumo")."""

    id = models.BigAutoField(primary_key=True)
    mes_referencia = models.DateField("mês de referência")
    cod_perfil_agente = models.IntegerField("código do perfil do agente")
    sigla_perfil_agente = models.TextField(blank=True, default="")
    nome_empresarial = models.TextField(blank=True, default="")
    cod_parcela_carga = models.IntegerField("código da parcela de carga")
    sigla_parcela_carga = models.TextField(blank=True, default="")
    cnpj = FixedCharField("CNPJ da carga", max_length=14, null=True)
    cidade = models.TextField(blank=True, default="")
    uf = FixedCharField("UF", max_length=2, null=True)
    municipio_ibge = models.CharField("município (IBGE)", max_length=7, null=True)
    ramo_atividade = models.TextField(blank=True, default="")
    submercado = models.TextField(blank=True, default="")
    data_migracao = models.DateField("data de migração", null=True)
    sigla_perfil_conectado = models.TextField("distribuidora conectada", blank=True, default="")
    capacidade_mw = models.DecimalField("capacidade da carga (MW)", max_digits=14, decimal_places=6, null=True)
    consumo_acl_mwh = models.DecimalField("consumo no ACL (MWh)", max_digits=16, decimal_places=6, null=True)
    consumo_total_mwh = models.DecimalField("consumo total (MWh)", max_digits=16, decimal_places=6, null=True)

    class Meta:
        db_table = table("ccee_carga")
        verbose_name = "carga no mercado livre (CCEE)"
        verbose_name_plural = "cargas no mercado livre (CCEE)"
        constraints = [
            models.UniqueConstraint(fields=["mes_referencia", "cod_parcela_carga"], name="ccee_carga_mes_parcela_uniq")
        ]
        indexes = [
            models.Index(fields=["cnpj"], name="ccee_carga_cnpj_idx"),
            models.Index(fields=["municipio_ibge"], name="ccee_carga_mun_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sigla_parcela_carga} {self.mes_referencia:%Y-%m}"


class GdEmpreendimento(models.Model):
    """A distributed-generation plant in ANEEL's register, keyed by its CEG as the BDGD's `CEG_GD` carries
    it (`GD.RS.001.002.773`: upper case, no spaces)."""

    cod_empreendimento = models.TextField("CEG", primary_key=True)
    cpf_cnpj = models.TextField("CPF/CNPJ do titular", blank=True, default="", help_text="ANEEL masks CPFs")
    titular = models.TextField(blank=True, default="")
    tipo_consumidor = models.CharField(max_length=2, blank=True, default="", help_text="PF or PJ")
    municipio_ibge = models.CharField("município (IBGE)", max_length=7, null=True)
    uf = FixedCharField("UF", max_length=2, null=True)
    classe = models.TextField(blank=True, default="")
    modalidade = models.TextField(blank=True, default="")
    fonte = models.TextField("fonte de geração", blank=True, default="")
    potencia_kw = models.DecimalField("potência instalada (kW)", max_digits=14, decimal_places=3, null=True)
    data_conexao = models.DateField("data de conexão", null=True)
    distribuidora_cnpj = FixedCharField("CNPJ da distribuidora", max_length=14, null=True)

    class Meta:
        db_table = table("gd_empreendimento")
        verbose_name = "empreendimento de GD (ANEEL)"
        verbose_name_plural = "empreendimentos de GD (ANEEL)"
        indexes = [models.Index(fields=["cpf_cnpj"], name="gd_empreendimento_doc_idx")]

    def __str__(self) -> str:
        return self.cod_empreendimento
