#!/usr/bin/env python3
"""Writes N valid residents as CSV for `civgrid import residents`, and the area
tree they live on as CSV for `civgrid import areas`.

    bench/gen_residents.py N [--areas AREAS.csv] [--seed S] [--chinese] > residents.csv
    bench/gen_residents.py N --values DIR     # also lookup values for bench/search.sh

The tree is one county (C01) of 10 towns, 10 communities each, 5 grids each
and 10 buildings each: 500 grids and 5,000 buildings, the size of Yanggao
county (521 grids); --counties K makes K such counties (under the root city). Residents live in buildings. Every ID number is unique
with a valid GB 11643 check digit and a real birth date, every phone is an
11-digit mobile number, and the rows come in a scattered order (as a real
register does), not sorted by ID number. The same N and seed always give the
same file. Standard library only.
"""
import argparse
import datetime
import os
import random
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
REGIONS = ["140221", "140222", "140223", "140212", "140213", "140214", "140211", "140215"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文建国志海燕霞鹏辉斌宇浩凯健俊帆帅旭宁博瑞晨阳欣怡梓涵子轩雨桐思远"
TOWNS = ["龙泉镇", "罗文皂镇", "大白登镇", "古城镇", "东小村镇", "王官屯镇", "狮子屯乡", "长城乡", "鳌石乡", "下深井乡"]
LEDGERS = [("party_member", 6), ("student", 8), ("truck_driver", 2), ("special_needs", 2), ("volunteer", 3)]


def check_char(first17):
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def tree(counties=1):
    """(code, parent_code, level, name) rows, parents first; and the building codes.
    The counties (C01, C02, ...) go under the database's root city."""
    rows = []
    buildings = []
    for k in range(1, counties + 1):
        rows.append((f"C{k:02d}", "", "county", "阳高县" if k == 1 else f"第{k}县"))
        county_tree(f"C{k:02d}", rows, buildings)
    return rows, buildings


def county_tree(county, rows, buildings):
    for t in range(10):
        town = f"{county}T{t:02d}"
        rows.append((town, county, "town", TOWNS[t]))
        for c in range(10):
            comm = f"{town}M{c:02d}"
            rows.append((comm, town, "community", f"{TOWNS[t][:-1]}第{c + 1}社区"))
            for g in range(5):
                grid = f"{comm}G{g}"
                rows.append((grid, comm, "grid", f"第{g + 1}网格"))
                for b in range(10):
                    bld = f"{grid}B{b}"
                    rows.append((bld, grid, "building", f"{c + 1}区{g * 10 + b + 1}号楼"))
                    buildings.append(bld)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of residents")
    ap.add_argument("--areas", help="also write the area tree to this file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--counties", type=int, default=1, help="counties of 5,000 buildings each")
    ap.add_argument("--chinese", action="store_true", help="Chinese column headers")
    ap.add_argument("--values", help="write ids.txt, tails.txt, phones.txt, names.txt (1000 each) here")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows, buildings = tree(args.counties)
    if args.areas:
        with open(args.areas, "w", encoding="utf-8", newline="") as f:
            f.write("code,parent_code,level,name\r\n")
            for r in rows:
                f.write(",".join(r) + "\r\n")

    # Birth dates 1940-2015 times 1000 sequence numbers times the regions is
    # the space of ID numbers; a multiplicative step through it (a permutation,
    # as the step is prime and does not divide the size) makes each index a
    # different, scattered ID number.
    first = datetime.date(1940, 1, 1)
    ndays = (datetime.date(2015, 12, 31) - first).days + 1
    space = ndays * 1000 * len(REGIONS)
    if args.n > space:
        sys.exit(f"at most {space} residents")
    step = 1_000_003
    assert space % step
    out = sys.stdout
    if args.chinese:
        out.write("身份证号,姓名,手机号,区域编码,户号,单元,房间,人员类型,标签\r\n")
    else:
        out.write("id_number,name,phone,area_code,household,unit,room,resident_type,tags\r\n")
    samples = {"ids": [], "tails": [], "phones": [], "names": []}
    keep_every = max(1, args.n // 1000)
    buf = []
    for i in range(args.n):
        k = (i * step + 12345) % space
        region = REGIONS[k % len(REGIONS)]
        k //= len(REGIONS)
        seq = k % 1000
        day = first + datetime.timedelta(days=k // 1000)
        first17 = f"{region}{day:%Y%m%d}{seq:03d}"
        idn = first17 + check_char(first17)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('3578')}{rng.randrange(10)}{(i * 7919 + 17) % 100_000_000:08d}"
        bld = buildings[rng.randrange(len(buildings))]
        unit = rng.randrange(1, 7)
        room = f"{rng.randrange(1, 19)}{rng.randrange(1, 5):02d}"
        household = f"{bld[-6:]}-{unit}-{room}"
        rtype = "floating" if rng.random() < 0.12 else "permanent"
        tags = ";".join(name_ for name_, pct in LEDGERS if rng.randrange(100) < pct)
        buf.append(f"{idn},{name},{phone},{bld},{household},{unit},{room},{rtype},{tags}\r\n")
        if i % keep_every == 0 and len(samples["ids"]) < 1000:
            samples["ids"].append(idn)
            samples["tails"].append(idn[-4:])
            samples["phones"].append(phone)
            samples["names"].append(name)
        if len(buf) == 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    out.flush()
    if args.values:
        os.makedirs(args.values, exist_ok=True)
        for key, values in samples.items():
            with open(os.path.join(args.values, f"{key}.txt"), "w", encoding="utf-8") as f:
                f.write("\n".join(values) + "\n")


if __name__ == "__main__":
    main()
