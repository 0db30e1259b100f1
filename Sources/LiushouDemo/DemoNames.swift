import Foundation
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Names, places and numbers that read like a county in northern Anhui.
enum DemoNames {
    /// Common surnames, weighted by repetition the way a village's are.
    static let surnames = Array("王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
    static let maleGiven = Array("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋家子梓浩轩宇晨博文")
    static let femaleGiven = Array("芳娜敏静丽艳娟霞燕秀玲桂英兰萍红梅琳雪倩婷颖欣怡佳雨涵梓萱诗琪思彤")
    static let elderMaleGiven = ["德福", "长友", "玉山", "广才", "国庆", "开元", "有财", "保国", "永贵", "金生", "树林", "成栋"]
    static let elderFemaleGiven = ["桂兰", "秀英", "玉珍", "凤英", "桂芳", "翠花", "兰英", "淑珍", "春梅", "金凤", "素芳", "秀珍"]
    static let workPlaces: [(province: String, city: String, employer: String)] = [
        ("浙江省", "宁波市", "宁波某电子厂"), ("江苏省", "苏州市", "苏州工业园区某电子公司"), ("上海市", "上海市", "某建筑工地"),
        ("广东省", "东莞市", "东莞某玩具厂"), ("广东省", "深圳市", "深圳某物流公司"), ("浙江省", "杭州市", "杭州某服装厂"),
        ("江苏省", "南京市", "南京某装修公司"), ("安徽省", "合肥市", "合肥某汽配厂"), ("福建省", "厦门市", "厦门某食品厂"),
    ]
    static let phonePrefixes = ["138", "139", "137", "136", "150", "151", "152", "158", "159", "182", "187", "188", "135", "177", "199"]

    static func name(_ random: inout SplitMix64, male: Bool, elder: Bool = false) -> String {
        let surname = String(random.pick(Self.surnames))
        if elder { return surname + random.pick(male ? Self.elderMaleGiven : Self.elderFemaleGiven) }
        let pool = male ? Self.maleGiven : Self.femaleGiven
        return surname + (random.chance(0.75) ? String(random.pick(pool)) + String(random.pick(pool)) : String(random.pick(pool)))
    }

    static func phone(_ random: inout SplitMix64) -> String {
        random.pick(Self.phonePrefixes) + String(format: "%08d", random.int(0...99_999_999))
    }

    /// A GB 11643 number: the county's area code, the birth date, a sequence (below 900, which
    /// the browser test keeps for the people it adds) whose last digit's
    /// parity gives the sex, the MOD 11-2 check character.
    static func idNumber(born: LocalDate, male: Bool, sequence: Int, area: String = "341122") -> String {
        let digits = male ? (sequence * 2 + 1) % 1000 : (sequence * 2) % 1000
        let body = area + String(format: "%04d%02d%02d", born.year, born.month, born.day) + String(format: "%03d", digits)
        return body + String(ResidentIDNumber.checkCharacter(for: body) ?? "0")
    }
}
