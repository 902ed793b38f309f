"""Generate ``bbr_sample.csv``: a synthetic, realistic BBR-style register of Swedish listed buildings.

Seeded and deterministic: running it again rewrites byte-identical output. The file imitates a
Riksantikvarieämbetet (Bebyggelseregistret) export as data owners send it: Windows-1252,
semicolons, CRLF, decimal commas, SWEREF 99 TM (EPSG:3006) coordinates, municipality codes with
leading zeros, mixed date precisions, and eight deliberately bad rows (listed in PROVENANCE.md).

Run from the project root::

    .venv/bin/python campaigns/data/wlm-se-bbr-sample/generate.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from pyproj import Transformer

SEED = 20260901
OUT = Path(__file__).with_name("bbr_sample.csv")
COLUMNS = ["BBR_ID", "NAMN", "E_KOORD", "N_KOORD", "KOMMUNKOD", "KOMMUN", "TYP", "SKYDDSTYP",
           "BESLUTSDATUM", "ADRESS", "BYGGAR"]

# code: (name, centre lat, centre lon, half-width of the scatter in km east/west, north/south,
#        coastal?) — centres chosen so that the scatter stays inside the municipality.
MUNICIPALITIES = {
    "0180": ("Stockholm", 59.3270, 18.0600, 2.5, 2.0, True),
    "0380": ("Uppsala", 59.8586, 17.6389, 6.0, 6.0, False),
    "1480": ("Göteborg", 57.7060, 11.9700, 3.0, 2.5, True),
    "1280": ("Malmö", 55.5850, 13.0300, 2.5, 2.5, True),
    "0980": ("Gotland", 57.4800, 18.4800, 9.0, 12.0, True),
    "0580": ("Linköping", 58.4108, 15.6214, 5.0, 5.0, False),
    "1281": ("Lund", 55.7047, 13.1910, 3.0, 3.0, False),
    "2480": ("Umeå", 63.8258, 20.2630, 6.0, 5.0, True),
}
PER_MUNICIPALITY = 41

STREETS = ["Storgatan", "Kyrkogatan", "Drottninggatan", "Kungsgatan", "Prästgatan", "Sjögatan",
           "Hamngatan", "Ågatan", "Östra Ågatan", "Klostergatan", "Järnvägsgatan", "Södra Långgatan",
           "Norra Vallgatan", "Skolgatan", "Torggatan", "Västra Strandgatan", "Bryggargatan",
           "Slottsgatan", "Tullgatan", "Kvarngatan", "Gröna gången", "Stora Torget", "Lilla Torget"]
RURAL_ROADS = ["Kvarnvägen", "Gårdsvägen", "Prästgårdsvägen", "Kyrkvägen", "Byvägen", "Mölnavägen"]
KVARTER = ["Ärlan", "Göken", "Svalan", "Rådhuset", "Apotekaren", "Skomakaren", "Bryggaren",
           "Domherren", "Kronan", "Hästskon", "Västergården", "Örnen", "Tärnan", "Fältskären"]
CHURCHES = ["Sankt Olofs kyrka", "Mariakyrkan", "Heliga Trefaldighets kyrka", "Sankt Johannes kyrka",
            "Slottskyrkan", "Kapellet", "Sankta Gertruds kyrka", "Sankt Petri kyrka",
            "Frälsarkyrkan", "Gamla kyrkan", "Sankt Nikolai kyrka", "Hospitalskyrkan"]
BUILDINGS = ["Rådhuset", "Gamla tullhuset", "Järnvägsstationen", "Stadshotellet", "Gamla posthuset",
             "Borgmästargården", "Handelshuset", "Apoteket Kronan", "Gamla läroverket", "Tingshuset",
             "Residenset", "Skolhuset", "Vattentornet", "Bryggeriet", "Magasinet", "Sparbanken",
             "Teatern", "Badhuset", "Societetshuset", "Hospitalet", "Fattighuset", "Tornvillan",
             "Länsmansgården", "Prästgården", "Klockargården", "Gästgivaregården"]
MANORS = ["Ekebo gård", "Bäckaskogs säteri", "Övre gården", "Näs herrgård", "Sjöö gård",
          "Ålsta gård", "Bergsgården", "Söderby herrgård", "Kungsgården", "Hagby gård"]
LIGHTHOUSES = ["Fyrplatsen", "Hamnfyren", "Inseglingsfyren", "Fyrvaktarbostaden och fyren"]
MILLS = ["Kvarnen på Kvarnbacken", "Holländaremöllan", "Stubbamöllan", "Västra kvarnen",
         "Östra väderkvarnen", "Backens kvarn"]
BRIDGES = ["Stenbron", "Gamla bron", "Kvarnbron", "Kungsbron", "Järnvägsbron", "Valvbron"]


def _decimal_comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _kind(rng: random.Random, coastal: bool) -> tuple[str, str]:
    """Pick a (TYP, NAMN) pair; lighthouses only on the coast."""
    roll = rng.random()
    if roll < 0.22:
        return "kyrka", rng.choice(CHURCHES)
    if roll < 0.70:
        if rng.random() < 0.35:
            return "byggnad", f"Kv. {rng.choice(KVARTER)} {rng.randint(1, 24)}"
        return "byggnad", rng.choice(BUILDINGS)
    if roll < 0.82:
        return "herrgård", rng.choice(MANORS)
    if roll < 0.88 and coastal:
        return "fyr", rng.choice(LIGHTHOUSES)
    if roll < 0.94:
        return "väderkvarn", rng.choice(MILLS)
    return "bro", rng.choice(BRIDGES)


def _designation(rng: random.Random, typ: str, name: str) -> str:
    if typ == "kyrka":
        return "kyrkligt"
    if typ == "fyr" or name in {"Residenset", "Tingshuset", "Slottskyrkan"} or rng.random() < 0.12:
        return "statligt"
    return "enskilt"


def _decision_date(rng: random.Random) -> str:
    year = rng.randint(1935, 2024)
    if rng.random() < 0.3:
        return str(year)
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _built(rng: random.Random, typ: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return ""
    lo, hi = (1150, 1850) if typ == "kyrka" else (1620, 1935)
    year = rng.randint(lo, hi)
    if roll < 0.55:
        return f"{year // 10 * 10}-talet"
    return str(year)


def _address(rng: random.Random, typ: str) -> str:
    if typ in {"herrgård", "väderkvarn", "fyr"} and rng.random() < 0.6:
        return f"{rng.choice(RURAL_ROADS)} {rng.randint(1, 60)}"
    if rng.random() < 0.08:
        return ""
    return f"{rng.choice(STREETS)} {rng.randint(1, 48)}"


def build_rows(rng: random.Random) -> list[list[str]]:
    """All data rows (good ones first, then the bad ones inserted at fixed places)."""
    to_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    ids = rng.sample(range(1, 999_999), PER_MUNICIPALITY * len(MUNICIPALITIES) + 40)
    ids_iter = iter(ids)
    rows: list[list[str]] = []
    for code, (kommun, lat, lon, dx_km, dy_km, coastal) in MUNICIPALITIES.items():
        cx, cy = to_3006.transform(lon, lat)
        used: set[str] = set()
        for _ in range(PER_MUNICIPALITY):
            # A register names its objects distinctly within a municipality (two "Prästgården"
            # in one town are told apart by the register); a few same-name pairs are added below.
            typ, name = _kind(rng, coastal)
            while name in used:
                typ, name = _kind(rng, coastal)
            used.add(name)
            prefix = "214000000" if typ == "bro" else "213000000"
            bbr_id = f"{prefix[:8]}{next(ids_iter):06d}"
            e = cx + rng.uniform(-dx_km, dx_km) * 1000
            n = cy + rng.uniform(-dy_km, dy_km) * 1000
            rows.append([bbr_id, name, _decimal_comma(e), _decimal_comma(n), code, kommun, typ,
                         _designation(rng, typ, name), _decision_date(rng), _address(rng, typ),
                         _built(rng, typ)])
    rng.shuffle(rows)
    # A quoted name holding the delimiter (valid, the reader must keep it whole).
    rows[5][1] = "Kv. Ärlan 4; bostadshus och gårdshus"
    # Two homonyms, as real registers have: the same name twice in one municipality. Wikidata
    # needs distinct label+description pairs, so the plan stage holds one of each pair back.
    for code in ("0380", "1280"):
        same = [r for r in rows if r[4] == code and r[6] == "byggnad" and not r[1].startswith("Kv.")]
        same[1][1] = same[0][1]
    # A valid record whose municipality code is unknown to Wikidata (P131 will not resolve).
    cx, cy = to_3006.transform(16.3580, 56.6650)  # Kalmar area
    rows.append([f"21300000{next(ids_iter):06d}", "Gamla vattenverket", _decimal_comma(cx),
                 _decimal_comma(cy), "9999", "Okänd kommun", "byggnad", "enskilt", "1999-05-12",
                 "Verksgatan 2", "1890-talet"])
    # --- the bad rows --------------------------------------------------------------------
    ok = rows[10]
    bad = [
        # 1 missing id
        ["", "Gamla bryggeriet", ok[2], ok[3], ok[4], ok[5], "byggnad", "enskilt", "1984", "", ""],
        # 2-3 one id used twice (both rows are rejected: which one is right is for a person)
        [f"21300000{next(ids_iter):06d}", "Sankt Olofs kyrka", rows[20][2], rows[20][3],
         rows[20][4], rows[20][5], "kyrka", "kyrkligt", "1970-01-01", "Kyrkogatan 1", "1200-talet"],
        None,  # filled below with the duplicate of the previous row
        # 4 missing name
        [f"21300000{next(ids_iter):06d}", "", rows[30][2], rows[30][3], rows[30][4], rows[30][5],
         "byggnad", "enskilt", "2001-03-14", "Storgatan 3", "1870"],
        # 5 easting and northing swapped
        [f"21300000{next(ids_iter):06d}", "Tullhuset", rows[40][3], rows[40][2], rows[40][4],
         rows[40][5], "byggnad", "statligt", "1965-06-30", "Hamngatan 1", "1760-talet"],
        # 6 outside Sweden (a point near Hamburg in SWEREF 99 TM)
        [f"21300000{next(ids_iter):06d}", "Magasinet", "66000,00", "5943000,00", "1280", "Malmö",
         "byggnad", "enskilt", "1990", "Hamngatan 9", "1850"],
        # 7 unparseable coordinate
        [f"21300000{next(ids_iter):06d}", "Väderkvarnen", "ca 6 780 000", rows[50][3], rows[50][4],
         rows[50][5], "väderkvarn", "enskilt", "1978-11-02", "", "1700-talet"],
        # 8 ragged row (the export cut the line short)
        [f"21300000{next(ids_iter):06d}", "Skolhuset", rows[60][2], rows[60][3], rows[60][4]],
    ]
    bad[2] = [bad[1][0], "Sankt Olofs kyrka", rows[70][2], rows[70][3], rows[70][4], rows[70][5],
              "kyrka", "kyrkligt", "1970", "Kyrkvägen 4", "1300-talet"]
    for offset, row in zip((17, 64, 65, 120, 171, 222, 263, 300), bad, strict=True):
        rows.insert(offset, row)
    return rows


def main() -> None:
    """Write the register next to this script."""
    rng = random.Random(SEED)
    rows = build_rows(rng)
    with OUT.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
