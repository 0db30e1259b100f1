import Foundation
import LiushouPostgres
import LiushouRegistry

/// The grounds of eligibility for a person and a matter today: economic hardship from the
/// registry's assistance (as the county counts it), minors, the county's means-free categories, and
/// means-free matters.
enum LegalEligibility {
    /// The grounds of the case's person, read through the case (the office keeps a case after the
    /// person's file moved out of its sight) with the settings of the county it was opened in.
    static func grounds(
        case id: UUID,
        matterMeansFree: Bool,
        today: LocalDate,
        in transaction: PostgresTransaction
    ) async throws -> [EligibilityBasis] {
        guard
            let row = try await transaction.query(
                "select birth_date, categories, assistance, hardship, means_free from legal_case_person_facts(\(id))"
            ).first
        else { return [] }
        var grounds: [EligibilityBasis] = []
        let assistance = Set(try row.decode("assistance", as: [String].self))
        if !assistance.isDisjoint(with: try row.decode("hardship", as: [String].self)) { grounds.append(.economicHardship) }
        if PersonValidator.age(born: try row.decode("birth_date", as: LocalDate.self), on: today) < 18 { grounds.append(.minor) }
        if !Set(try row.decode("categories", as: [String].self)).isDisjoint(with: try row.decode("means_free", as: [String].self)) {
            grounds.append(.category)
        }
        if matterMeansFree { grounds.append(.matter) }
        return grounds
    }
}
