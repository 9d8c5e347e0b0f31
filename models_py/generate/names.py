"""Made-up but plausible names for artists, albums, tracks and playlists.

Names are built from small word lists; a share contains non-ASCII letters, commas,
quotes and ampersands so that every writer has to quote properly.
"""

from __future__ import annotations

import numpy as np

ADJ = [
    "Blue",
    "Golden",
    "Silent",
    "Electric",
    "Broken",
    "Wild",
    "Neon",
    "Velvet",
    "Hidden",
    "Lonely",
    "Crimson",
    "Lucky",
    "Frozen",
    "Burning",
    "Sweet",
    "Empty",
    "Midnight",
    "Paper",
    "Silver",
    "Quiet",
    "Restless",
    "Little",
    "Endless",
    "Sacred",
    "Faded",
    "Holy",
    "Dirty",
    "Bright",
    "Distant",
    "Strange",
    "Heavy",
    "Gentle",
    "Lost",
    "Young",
    "Savage",
    "Pale",
    "Hollow",
    "Secret",
]
NOUN = [
    "Heart",
    "River",
    "Fire",
    "Dream",
    "City",
    "Ocean",
    "Summer",
    "Shadow",
    "Light",
    "Road",
    "Rain",
    "Garden",
    "Mirror",
    "Engine",
    "Star",
    "Night",
    "Wolf",
    "Song",
    "Ghost",
    "Machine",
    "Window",
    "Thunder",
    "Island",
    "Highway",
    "Kingdom",
    "Echo",
    "Desert",
    "Storm",
    "Season",
    "Letter",
    "Forest",
    "Harbor",
    "Signal",
    "Daylight",
    "Satellite",
    "Paradise",
    "Memory",
    "Horizon",
]
FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "Daniel",
    "Elif",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "José",
    "Kai",
    "Lena",
    "Marco",
    "Nina",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sofía",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoë",
    "Björn",
    "Ólafur",
    "Dagný",
    "Mónica",
    "Jörg",
    "Amélie",
    "Søren",
    "Łukasz",
    "Ángel",
    "Renée",
]
LAST = [
    "Smith",
    "García",
    "Müller",
    "Rossi",
    "Novak",
    "Kim",
    "Silva",
    "Johansson",
    "Dubois",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Larsen",
    "Costa",
    "Haddad",
    "Ibáñez",
    "Kowalski",
    "Núñez",
    "Øster",
    "Fontaine",
    "Walsh",
    "Reyes",
    "Bauer",
    "Lindqvist",
    "O'Brien",
    "Park",
    "Santos",
    "Verma",
    "Weiß",
]
FOREIGN = [
    "坂本龍一",
    "Sigur",
    "Rós",
    "Røyksopp",
    "Mø",
    "Ásgeir",
    "Jóhann",
    "Zazà",
    "Ménage",
    "Señorita",
    "Café",
    "Noir",
    "Déjà",
    "Vu",
    "Bonne",
    "Nuit",
    "Пламя",
    "Мечта",
    "夜明け",
    "Ñandú",
    "Über",
]
GENRE_PLAYLIST_WORDS = {
    "Pop": ["pop", "Pop Hits", "party", "Summer Jams"],
    "Rock": ["rock", "Classic Rock", "Garage Rock", "roadtrip"],
    "Hip-Hop": ["rap", "Hip Hop", "BOP", "lit"],
    "Indie": ["indie", " indie rock", "chill vibes", "Indie Folk"],
    "Electronic": ["edm", "workout", "Running 2.0", "house"],
    "Jazz": ["jazz", "coffee", "Smooth Jazz", "late night"],
    "Classical": ["classical", "study", "focus", "Piano"],
    "Country": ["Country", "old country ", "country", "Boots"],
    "R&B": ["r&b", "slow jams", "Throwbacks", "VIBE"],
    "Metal": ["metal", "gym", "Heavy", "mosh"],
    "Folk": ["folk", "acoustic", "morning", "sunday"],
    "Latin": ["latin", "Reggaeton", "fiesta", "baila"],
}
GENERIC_PLAYLIST = [
    "chill",
    "Throwbacks",
    "workout",
    "Good Vibes",
    "sleep",
    "relax",
    "90s",
    "2017",
    "Wedding",
    "Sad Songs",
    "mixtape",
    "New Songs",
    "road trip",
    "smooth ",
    "Yeet",
    "morning",
    "melancholy",
    "Mom's playlist",
    "fall '17",
    "Winter 2014",
    " summer",
    "✔️",
    "good good",
]


def _pick(rng: np.random.Generator, words: list[str], n: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def artist_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct artist names."""
    kind = rng.choice(5, size=n, p=[0.3, 0.3, 0.15, 0.15, 0.1])
    a, no, f, la, fo = (
        _pick(rng, ADJ, n),
        _pick(rng, NOUN, n),
        _pick(rng, FIRST, n),
        _pick(rng, LAST, n),
        _pick(rng, FOREIGN, n),
    )
    out: list[str] = []
    seen: dict[str, int] = {}
    for i in range(n):
        k = kind[i]
        if k == 0:
            name = f"The {a[i]} {no[i]}s"
        elif k == 1:
            name = f"{f[i]} {la[i]}"
        elif k == 2:
            name = f"{a[i]} {no[i]}"
        elif k == 3:
            name = f"{f[i]} {la[i]} & The {no[i]}s"
        else:
            name = f"{fo[i]} {no[i]}"
        c = seen.get(name, 0)
        seen[name] = c + 1
        out.append(name if c == 0 else f"{name} {c + 1}")
    return out


def title_names(rng: np.random.Generator, n: int, album: bool = False) -> list[str]:
    """``n`` song or album titles (not necessarily distinct)."""
    kind = rng.choice(7, size=n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05])
    a, no, no2, fo, fi = (
        _pick(rng, ADJ, n),
        _pick(rng, NOUN, n),
        _pick(rng, NOUN, n),
        _pick(rng, FOREIGN, n),
        _pick(rng, FIRST, n),
    )
    out: list[str] = []
    for i in range(n):
        k = kind[i]
        if k == 0:
            t = f"{a[i]} {no[i]}"
        elif k == 1:
            t = str(no[i])
        elif k == 2:
            t = f"{no[i]} of the {no2[i]}"
        elif k == 3:
            t = f"{no[i]}, {no2[i]}" if not album else f"{a[i]} {no[i]} (Deluxe)"
        elif k == 4:
            t = f'{no[i]} "{a[i]}"' if not album else f"Songs from the {no[i]}"
        elif k == 5:
            t = f"{fo[i]}"
        else:
            t = f"{no[i]} (feat. {fi[i]})" if not album else f"{a[i]} Live"
        out.append(t)
    return out


def slugify(name: str) -> str:
    """Lowercase ASCII slug: ``"R&B"`` → ``"r_b"``."""
    keep = [c.lower() if c.isascii() and c.isalnum() else "_" for c in name.strip()]
    slug = "".join(keep)
    while "__" in slug:
        slug = slug.replace("__", "_")
    return slug.strip("_") or "playlist"
