#!/usr/bin/env python3
"""Writes realistic Dutch test data for slagboom, with its ground truth.

Two things go into one CSV in the `native` import profile
(config/profiles/native.yaml):

* background: the incidents and partner signals of an ordinary year,
  spread over the 342 real municipalities of data/regions/ by (rounded)
  population, at realistic rates and hours.  Most reports name no
  vehicle; a plate that is named is mostly seen once.  Local repeat
  offenders come back to their own town and its neighbours with the same
  plate, as real ones do, and a few regional ones work the towns within
  an hour's drive for a day or three (listed in the ground truth: they
  are not tours, but may look like one).
* tours: a mobile group in one van (a foreign or a Dutch plate) drives a
  stretch of a motorway across at least three police units in 2 to 5
  days, raiding part of it each day from its base.  It stays at a
  holiday park (step `stay`), commits offences along the way (`offence`:
  shoplifting with foil-lined bags, a ram-raid, pickpocketing, cargo
  theft), rents a storage box (`storage`) and sells
  the goods to a second-hand buyer (`trade`).  A foreign van is read by a
  border camera on the way in (`entry`); a rented Dutch van is reported by
  the rental firm (`infrastructure`).

The ground truth (JSON) names every tour, its plate and the report ids
of its steps, so scripts/score_backtest.py can score the back-test.  The
same --seed gives the same files, byte for byte.

    python3 scripts/generate_nl.py --seed 7 --out /tmp/nl.csv \\
        --truth /tmp/nl-truth.json
    python3 scripts/score_backtest.py --csv /tmp/nl.csv \\
        --truth /tmp/nl-truth.json

Only the Python 3 standard library is used.  See docs/generator.md.
"""

import argparse
import bisect
import csv
import datetime as dt
import json
import math
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REGIONS = os.path.join(ROOT, "data", "regions")

# data/regions/ has boundaries but no population, so the largest
# municipalities are given theirs here (CBS, 1 January 2024, rounded to
# thousands) and the rest are estimated from their area (see Weights).
# The Wadden islands are listed because their area is mostly water.
POPULATION = {
    "Amsterdam": 931000, "Rotterdam": 670000, "'s-Gravenhage": 566000,
    "Utrecht": 374000, "Eindhoven": 246000, "Groningen": 243000,
    "Tilburg": 229000, "Almere": 226000, "Breda": 186000,
    "Nijmegen": 183000, "Apeldoorn": 168000, "Arnhem": 167000,
    "Haarlem": 165000, "Haarlemmermeer": 161000, "Amersfoort": 161000,
    "Enschede": 161000, "'s-Hertogenbosch": 160000, "Zaanstad": 160000,
    "Zwolle": 133000, "Zoetermeer": 127000, "Leiden": 128000,
    "Leeuwarden": 127000, "Maastricht": 123000, "Dordrecht": 121000,
    "Ede": 122000, "Alphen aan den Rijn": 115000, "Westland": 113000,
    "Alkmaar": 111000, "Emmen": 108000, "Delft": 106000,
    "Venlo": 102000, "Deventer": 102000, "Sittard-Geleen": 91000,
    "Helmond": 94000, "Oss": 94000, "Amstelveen": 93000,
    "Hilversum": 93000, "Heerlen": 87000, "Súdwest-Fryslân": 93000,
    "Vlieland": 1200, "Schiermonnikoog": 1000, "Ameland": 3800,
    "Terschelling": 5000, "Texel": 13800,
}

# Motorways as the towns they pass, in driving order.  A tour drives a
# stretch of one of them; the municipalities it passes are those whose
# centre lies within CORRIDOR_KM of the line through these towns.  Where
# the last town is at a border, the border is named, and a foreign van
# enters there.
MOTORWAYS = [
    ("A2", "DE/BE via Maastricht",
     ["Amsterdam", "Utrecht", "'s-Hertogenbosch", "Eindhoven", "Weert",
      "Roermond", "Sittard-Geleen", "Maastricht"]),
    ("A12", "DE at Zevenaar",
     ["'s-Gravenhage", "Zoetermeer", "Gouda", "Woerden", "Utrecht", "Ede",
      "Arnhem", "Zevenaar"]),
    ("A1", "DE at Oldenzaal",
     ["Amsterdam", "Gooise Meren", "Amersfoort", "Barneveld", "Apeldoorn",
      "Deventer", "Rijssen-Holten", "Hengelo (O.)", "Oldenzaal"]),
    ("A4/A16", "BE at Zundert",
     ["Amsterdam", "Haarlemmermeer", "Leiden", "'s-Gravenhage", "Delft",
      "Rotterdam", "Dordrecht", "Breda", "Zundert"]),
    ("A28", None,
     ["Utrecht", "Amersfoort", "Harderwijk", "Zwolle", "Meppel",
      "Hoogeveen", "Assen", "Groningen"]),
    ("A7", "DE at Bad Nieuweschans",
     ["Amsterdam", "Zaanstad", "Purmerend", "Hoorn", "Hollands Kroon",
      "Súdwest-Fryslân", "De Fryske Marren", "Heerenveen", "Smallingerland",
      "Groningen", "Oldambt"]),
    ("A2/A67", "DE at Venlo",
     ["Utrecht", "'s-Hertogenbosch", "Eindhoven", "Helmond", "Venlo"]),
    ("A73", None,
     ["Nijmegen", "Land van Cuijk", "Venray", "Venlo", "Roermond"]),
    ("A58/A2", "DE at Roermond",
     ["Vlissingen", "Goes", "Bergen op Zoom", "Roosendaal", "Breda",
      "Tilburg", "Eindhoven", "Weert", "Roermond"]),
]
CORRIDOR_KM = 9.0

# Background per year, nationally.  The Netherlands registers about
# 40,000 shop thefts a year; the other offences and the partners' signals
# are smaller and are this generator's own assumptions.
RATES = {
    ("offence", "shoplifting"): 40000,
    ("offence", "pickpocketing"): 6000,
    ("offence", "burglary"): 3000,
    ("offence", "cargo_theft"): 1000,
    ("stay", ""): 1500,            # holiday parks and campsites
    ("storage", ""): 800,          # storage-box rental
    ("trade", ""): 2000,           # second-hand buyers, marketplaces
    ("infrastructure", ""): 1000,  # van rental
    ("entry", ""): 600,            # border checks
}
PLATE_SHARE_OFFENCE = 0.08  # offence reports that name a vehicle
LOCAL_OFFENDERS_PER_YEAR = 400
REGIONAL_OFFENDERS_PER_YEAR = 60

# Shop hours: the share of shop thefts per local hour (9:00-21:00), and of
# all reports per weekday (Monday first).
HOUR_WEIGHTS = {9: 3, 10: 6, 11: 8, 12: 9, 13: 10, 14: 11, 15: 12, 16: 12,
                17: 11, 18: 7, 19: 4, 20: 2}
WEEKDAY_WEIGHTS = [14, 14, 14, 15, 17, 19, 7]
MONTH_WEIGHTS = [8, 7, 8, 8, 8, 8, 8, 8, 8, 8, 9, 12]

DUTCH_LETTERS = "BDFGHJKLNPRSTVXZ"
FOREIGN = [("PL", 0.3), ("RO", 0.25), ("LT", 0.15), ("BG", 0.1),
           ("DE", 0.1), ("FR", 0.1)]
MAKES = ["Ford Transit", "Volkswagen Transporter", "Mercedes-Benz Sprinter",
         "Renault Trafic", "Peugeot Boxer", "Fiat Ducato", "Opel Vivaro"]
COLOURS = ["white", "white", "white", "grey", "silver", "black", "blue"]
CAR_MAKES = ["Volkswagen Golf", "Opel Corsa", "Toyota Yaris", "Kia Picanto",
             "Peugeot 208", "Renault Clio", "Skoda Octavia", "BMW 3"]
GOODS = {
    "shoplifting": ["cosmetics", "razor_blades", "liquor", "electronics",
                    "clothing", "perfume", "baby_formula"],
    "burglary": ["electronics", "phones", "tools"],
    "cargo_theft": ["tools", "electronics", "tyres", "copper"],
    "pickpocketing": ["wallet", "phones"],
}
COLUMNS = ["report_id", "occurred_at", "step", "tags", "offence",
           "location.lat", "location.lon", "location.municipality",
           "location.safety_region", "location.police_unit",
           "vehicle.plate", "vehicle.country", "vehicle.make",
           "vehicle.colour", "suspects.count", "goods", "value_eur", "tlp"]


class Municipality:
    def __init__(self, code, name, vr, re):
        self.code, self.name, self.vr, self.re = code, name, vr, re
        self.rings = []
        self.lat = self.lon = 0.0
        self.area_km2 = 0.0
        self.spots = []  # shopping streets, parks: points inside it


def km_xy(lat, lon, lat0):
    """An equirectangular projection, good enough at Dutch distances."""
    return (lon * 111.32 * math.cos(math.radians(lat0)), lat * 110.57)


def ring_area(ring):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2


def inside(rings, lon, lat):
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat):
                x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
                if x > lon:
                    hit = not hit
    return hit


def load_municipalities(rng):
    by_code = {}
    with open(os.path.join(REGIONS, "nl_hierarchy.csv"),
              encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_code[row["gm_code"]] = Municipality(
                row["gm_code"], row["gm_name"], row["vr_code"], row["re_code"])
    with open(os.path.join(REGIONS, "gemeente_2025.geojson"),
              encoding="utf-8") as f:
        features = json.load(f)["features"]
    for feat in features:
        m = by_code[feat["properties"]["statcode"]]
        geom = feat["geometry"]
        polys = geom["coordinates"]
        if geom["type"] == "Polygon":
            polys = [polys]
        for poly in polys:
            m.rings.extend(poly)
    for m in by_code.values():
        shape(m, rng)
    return [by_code[c] for c in sorted(by_code)]


def shape(m, rng):
    """Centre, area and a few points inside the municipality."""
    lat0 = 52.0
    area = cx = cy = 0.0
    for ring in m.rings:
        xy = [km_xy(lat, lon, lat0) for lon, lat in ring]
        a = ring_area(xy)
        for (x1, y1), (x2, y2) in zip(xy, xy[1:]):
            c = x1 * y2 - x2 * y1
            cx += (x1 + x2) * c
            cy += (y1 + y2) * c
        area += a
    # Outer rings and holes may be wound either way (data/README.md), so
    # the largest ring's sign is taken as the outside.
    m.area_km2 = abs(area)
    if area != 0:
        cy /= 6 * area
        cx /= 6 * area
        m.lat = cy / 110.57
        m.lon = cx / (111.32 * math.cos(math.radians(lat0)))
    lons = [p[0] for r in m.rings for p in r]
    lats = [p[1] for r in m.rings for p in r]
    if not inside(m.rings, m.lon, m.lat):
        m.lon, m.lat = sum(lons) / len(lons), sum(lats) / len(lats)
    for _ in range(400):
        if len(m.spots) == 12:
            break
        # Shops cluster near the centre: sample near it first.
        lon = rng.uniform(min(lons), max(lons))
        lat = rng.uniform(min(lats), max(lats))
        if len(m.spots) < 6:
            lon = (lon + 2 * m.lon) / 3
            lat = (lat + 2 * m.lat) / 3
        if inside(m.rings, lon, lat):
            m.spots.append((round(lat, 5), round(lon, 5)))
    if not m.spots:
        m.spots.append((round(m.lat, 5), round(m.lon, 5)))


def weights(munis):
    """Population, given or estimated from the area."""
    areas = sorted(m.area_km2 for m in munis)
    median = areas[len(areas) // 2]
    out = []
    for m in munis:
        if m.name in POPULATION:
            out.append(POPULATION[m.name])
        else:
            est = 40000 * (m.area_km2 / median) ** 0.4
            out.append(min(90000, max(8000, est)))
    return out


def distance_km(a, b):
    ax, ay = km_xy(a.lat, a.lon, 52.0)
    bx, by = km_xy(b.lat, b.lon, 52.0)
    return math.hypot(ax - bx, ay - by)


def neighbours(munis, km=20.0):
    out = {}
    for m in munis:
        near = sorted((distance_km(m, o), o.code) for o in munis if o is not m)
        out[m.code] = [c for d, c in near if d <= km][:8] or [near[0][1]]
    return out


def corridor(names, by_name):
    """The municipalities along a motorway, in driving order."""
    points = [by_name[n] for n in names]
    seen, route = set(), []
    for a, b in zip(points, points[1:]):
        ax, ay = km_xy(a.lat, a.lon, 52.0)
        bx, by = km_xy(b.lat, b.lon, 52.0)
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        near = []
        for m in by_name.values():
            mx, my = km_xy(m.lat, m.lon, 52.0)
            t = ((mx - ax) * dx + (my - ay) * dy) / length2
            if t < 0 or t > 1:
                continue
            d = math.hypot(ax + t * dx - mx, ay + t * dy - my)
            if d <= CORRIDOR_KM:
                near.append((t, m.code, m))
        for t, code, m in sorted(near):
            if code not in seen:
                seen.add(code)
                route.append(m)
    return route


class Calendar:
    """Local Dutch times: a weighted day, hour and minute, as RFC 3339."""

    def __init__(self, start, days, rng):
        self.start, self.days, self.rng = start, days, rng
        weights = []
        for d in range(days):
            day = start + dt.timedelta(days=d)
            weights.append(WEEKDAY_WEIGHTS[day.weekday()] *
                           MONTH_WEIGHTS[day.month - 1])
        self.cumulative = []
        total = 0
        for w in weights:
            total += w
            self.cumulative.append(total)

    def day(self):
        x = self.rng.uniform(0, self.cumulative[-1])
        return self.start + dt.timedelta(
            days=bisect.bisect_left(self.cumulative, x))

    def shop_hour(self):
        hours = list(HOUR_WEIGHTS)
        return self.rng.choices(hours, [HOUR_WEIGHTS[h] for h in hours])[0]

    def at(self, day, hour, minute=None):
        if minute is None:
            minute = self.rng.randrange(60)
        return dt.datetime(day.year, day.month, day.day, hour, minute,
                           self.rng.randrange(60))


def last_sunday(year, month):
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def rfc3339(local):
    """A Europe/Amsterdam wall time with its offset (EU summer time rule:
    last Sunday of March to last Sunday of October).  Reports are never
    made between 02:00 and 03:00, so no wall time here is ambiguous."""
    summer = (last_sunday(local.year, 3) < local.date() <
              last_sunday(local.year, 10) or
              (local.date() == last_sunday(local.year, 3) and local.hour >= 3)
              or (local.date() == last_sunday(local.year, 10) and
                  local.hour < 2))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + (
        "+02:00" if summer else "+01:00")


def dutch_plate(rng, van=False):
    l = lambda: rng.choice(DUTCH_LETTERS)
    d = lambda: str(rng.randrange(10))
    if van:  # vans carry a V first: sidecodes 9 and 10
        if rng.random() < 0.5:
            return "V" + l() + "-" + d() + d() + d() + "-" + l()
        return "V-" + d() + d() + d() + "-" + l() + l()
    shape = rng.choice(["DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "L-DDD-LL",
                        "LLL-DD-L", "L-DD-LLL", "D-LL-DDD"])
    return "".join(l() if c == "L" else d() if c == "D" else c
                   for c in shape)


def foreign_plate(rng, country):
    L = lambda n: "".join(rng.choice("ABCDEGHKLMNPRSTWXYZ") for _ in range(n))
    D = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))
    if country == "PL":
        return rng.choice(["WA", "KR", "PO", "GD", "LU"]) + " " + D(5)
    if country == "RO":
        return rng.choice(["B-", "CJ-", "IS-", "TM-"]) + D(2) + "-" + L(3)
    if country == "LT":
        return L(3) + " " + D(3)
    if country == "BG":
        return rng.choice(["CA", "PB", "B", "CB"]) + " " + D(4) + " " + L(2)
    if country == "DE":
        district = rng.choice(["B", "K", "DU", "KLE", "BOR"])
        return district + "-" + L(2) + " " + D(rng.randrange(2, 5))
    return L(2) + "-" + D(3) + "-" + L(2)  # FR


class Generator:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.munis = load_municipalities(self.rng)
        self.by_code = {m.code: m for m in self.munis}
        self.by_name = {m.name: m for m in self.munis}
        self.index = {m.code: i for i, m in enumerate(self.munis)}
        self.weights = weights(self.munis)
        self.neighbours = neighbours(self.munis)
        self.start = dt.date.fromisoformat(args.start)
        self.cal = Calendar(self.start, args.days, self.rng)
        self.rows = []  # (local time, row dict, tour id or None)
        self.plates = set()

    def plate(self, country, van):
        while True:
            p = (dutch_plate(self.rng, van) if country == "NL" else
                 foreign_plate(self.rng, country))
            if p not in self.plates:
                self.plates.add(p)
                return p

    def row(self, local, step, muni, offence="", tags=(), vehicle=None,
            suspects=0, tour=None):
        lat, lon = self.rng.choice(muni.spots)
        row = {"occurred_at": rfc3339(local), "step": step,
               "tags": ";".join(tags), "offence": offence,
               "location.lat": lat, "location.lon": lon,
               "location.municipality": muni.code,
               "location.safety_region": muni.vr,
               "location.police_unit": muni.re,
               "tlp": "AMBER" if vehicle else "GREEN"}
        if vehicle:
            row["vehicle.plate"] = vehicle["plate"]
            row["vehicle.country"] = vehicle["country"]
            row["vehicle.make"] = vehicle["make"]
            row["vehicle.colour"] = vehicle["colour"]
        if suspects:
            row["suspects.count"] = suspects
        if offence:
            goods = self.rng.sample(GOODS[offence], 1 + (tour is not None))
            row["goods"] = ";".join(goods)
            base = 900 if tour else 120
            row["value_eur"] = round(self.rng.lognormvariate(
                math.log(base), 0.7), 2)
        self.rows.append((local, row, tour))
        return row

    def vehicle(self, country, van):
        return {"plate": self.plate(country, van), "country": country,
                "make": self.rng.choice(MAKES if van else CAR_MAKES),
                "colour": self.rng.choice(COLOURS)}

    def random_vehicle(self):
        country = "NL" if self.rng.random() < 0.85 else \
            self.rng.choice(["DE", "BE", "PL", "FR"])
        return self.vehicle(country, self.rng.random() < 0.3)

    # Background.

    def background(self):
        scale = self.args.days / 365.0
        for (step, offence), per_year in sorted(RATES.items()):
            n = self.poisson(per_year * scale * self.args.scale)
            for _ in range(n):
                self.one_background(step, offence)
        n = self.poisson(LOCAL_OFFENDERS_PER_YEAR * scale * self.args.scale)
        for _ in range(n):
            self.local_offender()
        n = self.poisson(REGIONAL_OFFENDERS_PER_YEAR * scale * self.args.scale)
        self.roamers = [self.regional_offender(i + 1) for i in range(n)]

    def poisson(self, mean):
        # Normal approximation is fine for the large means used here.
        if mean > 50:
            return max(0, int(round(self.rng.gauss(mean, math.sqrt(mean)))))
        n, p, limit = 0, 1.0, math.exp(-mean)
        while True:
            p *= self.rng.random()
            if p < limit:
                return n
            n += 1

    def one_background(self, step, offence):
        muni = self.rng.choices(self.munis, self.weights)[0]
        day = self.cal.day()
        if step == "stay":
            local = self.cal.at(day, self.rng.randint(15, 22))
        elif step == "offence" and offence == "burglary":
            local = self.cal.at(day, self.rng.choice([0, 1, 3, 4, 5, 22, 23]))
        else:
            local = self.cal.at(day, self.cal.shop_hour())
        vehicle = None
        if step != "offence" or self.rng.random() < PLATE_SHARE_OFFENCE:
            vehicle = self.random_vehicle()
        suspects = self.rng.choice([1, 1, 1, 2, 2, 3]) if offence else 0
        self.row(local, step, muni, offence, vehicle=vehicle,
                 suspects=suspects)

    def local_offender(self):
        """A local thief with a car, back two to five times in his town or
        a neighbouring one within a couple of months; now and then he
        sells what he took to a second-hand buyer."""
        home = self.rng.choices(self.munis, self.weights)[0]
        vehicle = self.vehicle("NL", False)
        day = self.cal.day()
        for _ in range(self.rng.randint(2, 5)):
            muni = home
            if self.rng.random() < 0.3:
                near = self.neighbours[home.code]
                muni = self.by_code[self.rng.choice(near)]
            self.row(self.cal.at(day, self.cal.shop_hour()), "offence", muni,
                     "shoplifting", vehicle=vehicle, suspects=1)
            day += dt.timedelta(days=self.rng.randint(1, 20))
            if day >= self.start + dt.timedelta(days=self.args.days):
                break
        if self.rng.random() < 0.15:
            self.row(self.cal.at(day, self.cal.shop_hour()), "trade", home,
                     vehicle=vehicle)

    def regional_offender(self, number):
        """A thief in his own car who works the towns within an hour's
        drive for a day or three: no park, no storage, no fence, so not a
        tour, but near a border between police units the plate can turn
        up in three of them."""
        home = self.rng.choices(self.munis, self.weights)[0]
        near = [m for m in self.munis if distance_km(home, m) <= 40]
        weights = [self.weights[self.index[m.code]] for m in near]
        vehicle = self.vehicle("NL", False)
        day = self.cal.day()
        label = "R%03d" % number
        for _ in range(self.rng.randint(3, 6)):
            muni = self.rng.choices(near, weights)[0]
            seen = self.rng.random() < 0.7
            self.row(self.cal.at(day, self.cal.shop_hour()), "offence", muni,
                     "shoplifting", vehicle=vehicle if seen else None,
                     suspects=1, tour=label)
            day += dt.timedelta(days=self.rng.randint(0, 1))
        return {"offender": label, "plate": vehicle["plate"],
                "home": home.code}

    # Tours.

    def tour(self, number):
        rng = self.rng
        name, border, towns = rng.choice(MOTORWAYS)
        route = corridor(towns, self.by_name)
        # A foreign van comes in where the road meets the border.
        gate = self.by_name[towns[-1]] if border else route[0]
        if rng.random() < 0.5:
            route.reverse()
        stretch = self.stretch(route)
        foreign = rng.random() < 0.75
        country = rng.choices([c for c, _ in FOREIGN],
                              [w for _, w in FOREIGN])[0] if foreign else "NL"
        van = self.vehicle(country, True)
        days = rng.randint(2, 5)
        first = self.start + dt.timedelta(
            days=rng.randrange(1, max(2, self.args.days - days - 2)))
        tour = "T%02d" % number
        steps = []

        def add(step, local, muni, offence="", **kw):
            row = self.row(local, step, muni, offence, tour=tour, **kw)
            steps.append((local, row))
            return row

        # Arrival: a border camera (foreign van) or the rental firm.
        if foreign:
            add("entry", self.cal.at(first, rng.randint(5, 8)), gate,
                tags=["anpr"], vehicle=van)
        else:
            add("infrastructure", self.cal.at(first, rng.randint(7, 9)),
                stretch[0], tags=["van_rental"], vehicle=van)
        # The holiday park, the group's base: the most rural municipality
        # of the middle of the stretch, checked in on the first afternoon.
        third = len(stretch) // 3
        park = max(stretch[third:max(third + 1, 2 * third)],
                   key=lambda m: m.area_km2)
        add("stay", self.cal.at(first, rng.randint(13, 16)), park,
            tags=["holiday_park"], vehicle=van, suspects=rng.randint(3, 5))

        # Offences: each day a raid from the base along part of the stretch,
        # a few shops in driving order; a shop's camera or a witness gives
        # the plate most times.
        storage_day = rng.randint(1, days - 1)
        for d in range(days):
            day = first + dt.timedelta(days=d)
            size = max(3, round(len(stretch) * rng.uniform(0.5, 1.0)))
            at = rng.randrange(0, len(stretch) - min(size, len(stretch)) + 1)
            raid = stretch[at:at + size]
            if rng.random() < 0.5:
                raid = raid[::-1]
            picks = self.stops(raid, rng.randint(2, 5))
            hours = sorted(rng.sample(range(10, 20), len(picks)))
            plated = False
            for i, hour in enumerate(hours):
                muni = raid[picks[i]]  # picks are in driving order
                offence, tags = self.tour_offence()
                seen = rng.random() < self.args.plate_seen
                if i == len(hours) - 1 and not plated:
                    seen = True  # at least one sighting a day
                plated = plated or seen
                add("offence", self.cal.at(day, hour), muni, offence,
                    tags=tags, vehicle=van if seen else None,
                    suspects=rng.randint(2, 4))
            if d == storage_day:
                add("storage", self.cal.at(day, 20, rng.randrange(50)),
                    park, tags=["storage_box"], vehicle=van)
        # Fencing: the goods go to a buyer the day after the last offence.
        last = first + dt.timedelta(days=days)
        add("trade", self.cal.at(last, rng.randint(9, 12)), stretch[-1],
            tags=["second_hand"], vehicle=van)
        return {"tour": tour, "motorway": name, "border": border,
                "plate": van["plate"], "country": country,
                "days": days, "first_day": first.isoformat(),
                "route": [m.code for m in stretch],
                "police_units": sorted({m.re for m in stretch}),
                "_steps": steps}

    def stops(self, raid, n):
        """Where a day's raid stops, as indexes into it in driving order:
        a town in every police unit it passes (up to five stops), the rest
        drawn by population, as shops go with people."""
        first = {}
        for i, m in enumerate(raid):
            first.setdefault(m.re, []).append(i)
        units = list(first)
        self.rng.shuffle(units)
        picks = []
        for unit in units[:5]:
            idx = first[unit]
            picks.append(self.rng.choices(
                idx, [self.weights[self.index[raid[i].code]] for i in idx])[0])
        weights = [self.weights[self.index[m.code]] for m in raid]
        while len(picks) < n:
            picks.append(self.rng.choices(range(len(raid)), weights)[0])
        return sorted(picks)

    def stretch(self, route):
        """A stretch of the route that passes at least three police units
        (the whole route when it passes fewer)."""
        units = [m.re for m in route]
        starts = [i for i in range(len(route))
                  if len(set(units[i:])) >= 3] or [0]
        i = self.rng.choice(starts[:max(1, len(starts) // 2)])
        j = i + 1
        while len(set(units[i:j])) < 3 and j < len(route):
            j += 1
        # A few towns more on either side, so that the outer units are
        # more than a town at the edge.
        i = max(0, i - self.rng.randint(0, 6))
        j = min(len(route), j + self.rng.randint(2, 8))
        return route[i:j]

    def tour_offence(self):
        x = self.rng.random()
        if x < 0.7:
            return "shoplifting", ["foil_bag"]
        if x < 0.8:
            return "burglary", ["ram_raid"]
        if x < 0.9:
            return "pickpocketing", ["distraction"]
        return "cargo_theft", ["tarpaulin_cut"]

    # Output.

    def write_csv(self, out):
        order = sorted(range(len(self.rows)),
                       key=lambda i: (self.rows[i][0], i))
        width = len(str(len(order)))
        prefix = "gen%d-" % self.args.seed
        for n, i in enumerate(order, 1):
            self.rows[i][1]["report_id"] = prefix + str(n).zfill(width)
        with open(out, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
            w.writeheader()
            for i in order:
                w.writerow(self.rows[i][1])

    def run(self):
        self.background()
        tours = [self.tour(n + 1) for n in range(self.args.tours)]
        self.truth = {"seed": self.args.seed, "start": self.args.start,
                      "days": self.args.days, "incidents": len(self.rows),
                      "tours": tours, "regional_offenders": self.roamers}
        return tours

    def finish_truth(self):
        for t in self.truth["tours"]:
            steps = sorted(t.pop("_steps"), key=lambda s: s[0])
            t["steps"] = [{"report_id": r["report_id"], "step": r["step"],
                           "occurred_at": r["occurred_at"],
                           "municipality": r["location.municipality"],
                           "police_unit": r["location.police_unit"],
                           "offence": r["offence"],
                           "plate_seen": bool(r.get("vehicle.plate"))}
                          for _, r in steps]
            t["report_ids"] = [s["report_id"] for s in t["steps"]]
        ids = {}
        for _, row, label in self.rows:
            if label and label.startswith("R"):
                ids.setdefault(label, []).append(row["report_id"])
        for r in self.truth["regional_offenders"]:
            r["report_ids"] = sorted(ids[r["offender"]])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start", default="2025-01-01",
                   help="first day, YYYY-MM-DD (default 2025-01-01)")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--tours", type=int, default=20)
    p.add_argument("--scale", type=float, default=1.0,
                   help="background volume against the national rates")
    p.add_argument("--plate-seen", type=float, default=0.75,
                   help="share of a tour's offences that name its plate")
    p.add_argument("--out", required=True, help="CSV, profile native")
    p.add_argument("--truth", required=True, help="ground truth, JSON")
    args = p.parse_args()
    if args.days < 7:
        p.error("--days must be at least 7")
    gen = Generator(args)
    gen.run()
    gen.write_csv(args.out)  # numbers the rows first
    gen.finish_truth()
    with open(args.truth, "w", encoding="utf-8") as f:
        json.dump(gen.truth, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("rows=%d tours=%d" % (len(gen.rows), len(gen.truth["tours"])),
          file=sys.stderr)


if __name__ == "__main__":
    main()
