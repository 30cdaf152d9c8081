from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from forecasting.readers import inmet, ons

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_ons_reader_converts_local_time_and_reports_missing_values() -> None:
    report = ons.Relatorio()
    rows = list(ons.read((FIXTURES / "ons" / "CURVA_CARGA_2018_dst_slice.csv").read_text(), report))
    # 2018-11-04 00:00 does not exist in São Paulo (clocks jumped to 01:00): its 4 rows, empty or 0E-8,
    # are reported, not stored.
    assert report.horas_inexistentes == 4 and report.linhas == len(rows) + 4
    first = next(r for r in rows if r.subsistema == "SE" and r.instante == datetime(2018, 11, 4, 3, tzinfo=UTC))
    assert first.carga_mw == pytest.approx(32896.773)  # 01:00 local (UTC-2 in summer time)
    # The fall-back hour 2018-02-17 23:00 is published once: the repeated UTC hour is a gap.
    se = sorted(r.instante for r in rows if r.subsistema == "SE" and r.instante.month == 2)
    assert ons.missing_hours(se) == [datetime(2018, 2, 18, 2, tzinfo=UTC)]


def test_ons_reader_rejects_other_files() -> None:
    with pytest.raises(ons.OnsFormatError, match="line 1: expected header"):
        list(ons.read("a;b;c\n1;2;3\n"))
    with pytest.raises(ons.OnsFormatError, match="line 2: unknown subsystem 'XX'"):
        list(ons.read(";".join(ons.HEADER) + "\nXX;X;2024-01-01 00:00:00;1\n"))


@pytest.mark.parametrize(
    ("name", "temperature"),
    [("INMET_SE_SP_A701_2016_slice_latin1.CSV", 23.8), ("INMET_SE_SP_A701_2022_slice.CSV", 19.3)],
)
def test_inmet_reader_reads_both_layouts_and_encodings(name: str, temperature: float) -> None:
    code, observations = inmet.read((FIXTURES / "inmet" / name).read_bytes())
    rows = list(observations)
    assert code == "A701" and len(rows) == 48
    assert rows[0].instante.hour == 0 and rows[0].instante.tzinfo == UTC
    assert rows[0].valores["temperatura_c"] == temperature
    assert rows[1].instante.hour == 1


def test_inmet_missing_markers_are_none() -> None:
    _, observations = inmet.read((FIXTURES / "inmet" / "INMET_SE_SP_A701_2016_slice_latin1.CSV").read_bytes())
    first = next(iter(observations))
    assert first.valores["radiacao_kj_m2"] is None  # -9999 in the file
