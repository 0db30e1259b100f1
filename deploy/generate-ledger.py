#!/usr/bin/env python3
"""Writes a person ledger (台账) CSV of N generated people for benchmarks: children and elders of one
village, every ID number valid (GB 11643) and unique. With `households`, a household number (户编号) too: each child
shares one with the elder on the next line. Usage: generate-ledger.py ROWS VILLAGE_CODE [households] > file.csv"""
import csv
import datetime
import random
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "小明华丽军伟芳娜秀英敏静强磊洋艳勇杰娟涛超"


def id_number(born: datetime.date, sequence: int) -> str:
    body = "341122" + born.strftime("%Y%m%d") + f"{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def main() -> None:
    rows, village = int(sys.argv[1]), sys.argv[2]
    households = sys.argv[3:4] == ["households"]
    random.seed(7)
    out = csv.writer(sys.stdout, lineterminator="\r\n")
    out.writerow(["姓名", "公民身份号码", "民族", "人员类别", "村代码", "户籍地", "现住址", "健康状况", "就学阶段", "父母外出情况", "监护类型",
                  "监护评估", "委托监护人姓名", "委托监护人电话", "与儿童关系", "委托监护确认书签订日期", "父亲姓名", "父亲电话", "父亲务工省份",
                  "居住情况", "自理能力", "外出亲属姓名", "外出亲属关系", "外出亲属电话", "外出亲属务工省份"] + (["户编号"] if households else []))
    for index in range(rows):
        child = index % 2 == 0
        start = datetime.date(2010, 1, 1) if child else datetime.date(1930, 1, 1)
        born = start + datetime.timedelta(days=(index // 1000) % 3650)
        number = id_number(born, index % 1000)
        name = random.choice(SURNAMES) + random.choice(GIVEN) + random.choice(GIVEN)
        phone = f"13{random.randint(100000000, 999999999)}"
        household = [f"H{index // 2:06d}"] if households else []
        if child:
            out.writerow([name, number, "汉族", "留守儿童", village, "安徽省示范县", f"东村 {index} 号", "健康", "不在学", "父母均外出", "一般", "一般",
                          "祖父" + name[0], phone, "祖父", "2025-09-01", name[0] + "父", phone, "浙江省", "", "", "", "", "", ""]
                         + household)
        else:
            out.writerow([name, number, "汉族", "留守老人", village, "安徽省示范县", f"东村 {index} 号", "健康", "", "", "", "", "", "", "", "", "", "",
                          "", "独居", "能自理", name[0] + "子", "子女", phone, "江苏省"] + household)


if __name__ == "__main__":
    main()
