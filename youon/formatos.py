"""Numbers as people read them in Brazil: rounded, with thousands dots, decimal commas and units."""

from __future__ import annotations


def numero(value: float | None, casas: int = 0) -> str:
    """12345.678 → '12.345,68' (casas=2); None → '—'."""
    if value is None:
        return "—"
    text = f"{value:,.{casas}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def energia(kwh: float | None) -> str:
    """kWh in the unit that reads best: '850 kWh', '77,2 MWh', '77.152 MWh', '1.234,5 GWh'."""
    if kwh is None:
        return "—"
    if abs(kwh) >= 1e9:
        return f"{numero(kwh / 1e6, 1)} GWh"
    if abs(kwh) >= 1e6:
        return f"{numero(kwh / 1e3)} MWh"
    if abs(kwh) >= 1e4:
        return f"{numero(kwh / 1e3, 1)} MWh"
    return f"{numero(kwh)} kWh"


def horas(value: float | None) -> str:
    """Interruption hours (DIC): three decimals, '0,132 h'."""
    return "—" if value is None else f"{numero(value, 3)} h"


def vezes(value: float | None) -> str:
    """Interruption counts (FIC): three decimals, '0,458'."""
    return numero(value, 3)


def potencia(kw: float | None) -> str:
    """kW: '1.250 kW', or MW above 10 MW."""
    if kw is None:
        return "—"
    return f"{numero(kw / 1e3, 1)} MW" if abs(kw) >= 1e4 else f"{numero(kw, 1 if abs(kw) < 100 else 0)} kW"
