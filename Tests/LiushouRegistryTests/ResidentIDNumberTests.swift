import Foundation
import LiushouPostgres
import Testing

@testable import LiushouRegistry

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

@Suite("Resident ID numbers: the byte-wise reader")
struct ResidentIDNumberFastPathTests {
    /// The character-wise reader that every number went through before the byte-wise one: the reference.
    static func reference(_ text: String) -> Result<[String], ResidentIDNumber.Problem> {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
        let normalised = text.uppercased()
        let characters = Array(normalised)
        guard characters.count == 18 else { return .failure(.length) }
        let body = characters.prefix(17)
        guard body.allSatisfy({ $0.isASCII && $0.isNumber }), let last = characters.last, (last.isASCII && last.isNumber) || last == "X" else {
            return .failure(.characters)
        }
        let digits = body.map { Int(String($0))! }
        guard let year = Int(String(characters[6..<10])), let month = Int(String(characters[10..<12])),
            let day = Int(String(characters[12..<14])), year >= 1900, let birth = LocalDate(year: year, month: month, day: day)
        else { return .failure(.birthDate) }
        let expected = checkCharacters[zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11]
        guard last == expected else { return .failure(.checkCharacter(expected: expected)) }
        return .success([normalised, String(characters[0..<6]), "\(birth)", digits[16] % 2 == 1 ? "male" : "female"])
    }

    @Test("answers what the character-wise reader answered: valid numbers, every refusal, odd characters")
    func agreesWithReference() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789xX a٣１\r\n")
        var valid = 0
        var byteWise = 0
        for round in 0..<30_000 {
            let birth = LocalDate(year: Int.random(in: 1890...2030, using: &generator), month: Int.random(in: 1...12), day: Int.random(in: 1...28))!
            let body =
                String(format: "%06d", Int.random(in: 110_000...659_999, using: &generator))
                + String(format: "%04d%02d%02d", birth.year, round % 50 == 0 ? 13 : birth.month, round % 70 == 0 ? 31 : birth.day)
                + String(format: "%03d", Int.random(in: 0...999, using: &generator))
            var characters = Array(body + String(ResidentIDNumber.checkCharacter(for: body) ?? "0"))
            switch round % 5 {
            case 0: characters[Int.random(in: 0..<18, using: &generator)] = alphabet.randomElement(using: &generator)!
            case 1: characters[17] = alphabet.randomElement(using: &generator)!
            case 2 where Bool.random(using: &generator): characters.removeLast()
            case 2: characters.append(alphabet.randomElement(using: &generator)!)
            case 3: characters = characters.map { $0 == "X" ? "x" : $0 }
            default: break
            }
            let text = String(characters)
            let answer: Result<[String], ResidentIDNumber.Problem>
            do {
                let number = try ResidentIDNumber(text)
                answer = .success([number.value, number.areaCode, "\(number.birthDate)", number.sex.rawValue])
                valid += 1
            } catch let problem as ResidentIDNumber.Problem {
                answer = .failure(problem)
            } catch {
                answer = .failure(.length)
                Issue.record("unexpected error \(error)")
            }
            #expect(answer == Self.reference(text), "\(text.debugDescription)")
            // Numbers of 18 ASCII digits, x and X are read byte by byte (never handed to the general path).
            if text.utf8.count == 18, text.utf8.allSatisfy({ Array("0123456789xX".utf8).contains($0) }) {
                byteWise += 1
                if case .success(nil) = Result(catching: { try ResidentIDNumber.parseDigits(text) }) {
                    Issue.record("handed to the general path: \(text)")
                }
            } else {
                #expect(try ResidentIDNumber.parseDigits(text) == nil, "left to the general path: \(text.debugDescription)")
            }
        }
        #expect(valid > 5_000)
        #expect(byteWise > 10_000)
    }

    @Test("the cases at the edges: leap days, zero months and days, 1899, X in the body, a lone newline, neighbours of the digits")
    func edges() {
        let bodies = [
            "11010520000229001", "11010519000229001", "11010519990229001", "11010519490031001", "11010519490100001",
            "11010518991231001", "11010519491231001",
        ]
        var texts = bodies.flatMap { body in [body + String(ResidentIDNumber.checkCharacter(for: body)!), body + "0", body + "x"] }
        let valid = "11010519491231002X"
        for index in 0..<17 { texts.append(String(valid.prefix(index)) + "X" + String(valid.dropFirst(index + 1))) }
        for odd in ["/", ":", "W", "Y", "w", "y", "\u{0}", "\n", "\r", "ｘ", "１", "٣"] {
            texts.append(String(valid.prefix(5)) + odd + String(valid.dropFirst(6)))
            texts.append(String(valid.dropLast()) + odd)
            texts.append(valid + odd)
        }
        texts += [valid.lowercased(), "", "11010519491231002", "\n" + valid]
        for text in texts {
            let answer: Result<[String], ResidentIDNumber.Problem>
            do {
                let number = try ResidentIDNumber(text)
                answer = .success([number.value, number.areaCode, "\(number.birthDate)", number.sex.rawValue])
            } catch {
                answer = .failure(error as? ResidentIDNumber.Problem ?? .length)
            }
            #expect(answer == Self.reference(text), "\(text.debugDescription)")
        }
        let leap = "11010520000229001"
        #expect(
            (try? ResidentIDNumber(leap + String(ResidentIDNumber.checkCharacter(for: leap)!)))?.birthDate == LocalDate(year: 2000, month: 2, day: 29)
        )
        #expect(throws: ResidentIDNumber.Problem.birthDate) { try ResidentIDNumber("110105190002290011") }
    }
}
