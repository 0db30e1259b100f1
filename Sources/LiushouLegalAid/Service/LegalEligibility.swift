import Foundation
import LiushouPostgres
import LiushouRegistry

/// The grounds of eligibility for a person and a matter today: economic hardship from the
/// registry's assistance (as the county counts it), minors, the county's means-free categories, and
/// means-free matters.
enum LegalEligibility {
    static func grounds(person: UUID, matterMeansFree: Bool, today: LocalDate, in transaction: PostgresTransaction) async throws -> [EligibilityBasis]
    {
        guard
            let row = try await transaction.query(
                """
                select p.birth_date, p.categories,
                    array(select jsonb_array_elements_text(coalesce(p.file -> 'assistance', '[]'::jsonb))) as assistance,
                    coalesce(s.hardship_assistance, '{minimum_living,extreme_poverty}') as hardship,
                    coalesce(s.means_free_categories, '{}') as means_free
                from person p left join legal_aid_setting s on s.county_id = liushou_county_of(p.unit_id)
                where p.id = \(person)
                """
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
