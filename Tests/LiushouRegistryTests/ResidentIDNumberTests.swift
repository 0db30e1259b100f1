import LiushouPostgres
import LiushouRegistry
import Testing

@Suite("Resident ID numbers (GB 11643) and phone numbers")
struct ResidentIDNumberTests {
    @Test("the standard's example is valid, with its sex and birth date")
    func example() throws {
        let number = try ResidentIDNumber("11010519491231002x")
        #expect(number.value == "11010519491231002X")
        #expect(number.birthDate == LocalDate(year: 1949, month: 12, day: 31))
        #expect(number.sex == .female)
        #expect(number.areaCode == "110105")
        #expect("\(number)" == "110105********002X")
    }

    @Test("every check character, including X and 0, is computed with ISO 7064 MOD 11-2")
    func checkCharacters() throws {
        #expect(try ResidentIDNumber("110105194912310011").sex == .male)
        #expect(try ResidentIDNumber("110105194912310038").sex == .male)
        #expect(try ResidentIDNumber("44030420010512123X").birthDate == LocalDate(year: 2001, month: 5, day: 12))
        #expect(try ResidentIDNumber("320102199909090014").sex == .male)
        #expect(throws: ResidentIDNumber.Problem.checkCharacter(expected: "X")) { try ResidentIDNumber("110105194912310029") }
        #expect(throws: ResidentIDNumber.Problem.checkCharacter(expected: "1")) { try ResidentIDNumber("110105194912310012") }
    }

    @Test("wrong lengths, characters and impossible dates are refused with the reason")
    func refusals() {
        #expect(throws: ResidentIDNumber.Problem.length) { try ResidentIDNumber("1101051949123100") }
        #expect(throws: ResidentIDNumber.Problem.characters) { try ResidentIDNumber("11010519491231A02X") }
        #expect(throws: ResidentIDNumber.Problem.birthDate) { try ResidentIDNumber("110105201302290012") }
        #expect(throws: ResidentIDNumber.Problem.birthDate) { try ResidentIDNumber("110105194913310024") }
    }

    @Test("a retired area code is accepted")
    func retiredArea() throws {
        // 513122 was a Sichuan county code before 1997; numbers issued then are still valid.
        var digits = Array("51312219800101001")
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits.map { Int(String($0))! }, weights).reduce(0) { $0 + $1.0 * $1.1 }
        digits.append(Array("10X98765432")[sum % 11])
        #expect(try ResidentIDNumber(String(digits)).areaCode == "513122")
    }

    @Test("mobiles and landlines validate and mask; others are refused")
    func phones() {
        #expect(PhoneNumber("13812345678")?.kind == .mobile)
        #expect(PhoneNumber("+86 138 1234 5678")?.value == "13812345678")
        #expect("\(PhoneNumber("13812345678")!)" == "138****5678")
        #expect(PhoneNumber("0564-4552466")?.kind == .landline)
        #expect("\(PhoneNumber("0564-4552466")!)" == "0564-*****66")
        #expect(PhoneNumber("12812345678") == nil)
        #expect(PhoneNumber("1381234567") == nil)
        #expect(PhoneNumber("564-4552466") == nil)
    }
}
