import Foundation
import LiushouPlatform

/// The fields a file must hold, by category (建档率 counts files that hold them all).
public enum FileCompleteness {
    /// Paths of required fields missing from `file`.
    public static func missingFields(_ file: PersonFile) -> [String] {
        var missing: [String] = []
        func require(_ present: Bool, _ field: String) {
            if !present { missing.append(field) }
        }
        func filled(_ text: String?) -> Bool {
            !(text ?? "").trimmingSpaces().isEmpty
        }
        require(filled(file.idNumber), "idNumber")
        require(filled(file.ethnicity), "ethnicity")
        require(filled(file.householdRegistration), "householdRegistration")
        require(filled(file.currentAddress), "currentAddress")
        require(file.health != nil, "health")
        let categories = Set(file.activeCategories)
        if categories.contains(where: \.isChild) {
            let child = file.child
            require(child?.schoolStage != nil, "child.schoolStage")
            if child?.schoolStage?.attendsSchool == true { require(child?.schoolId != nil, "child.schoolId") }
            require(child?.guardianshipType != nil, "child.guardianshipType")
            require(child?.guardianshipAssessment != nil, "child.guardianshipAssessment")
            require(child?.guardian != nil, "child.guardian")
            require(filled(child?.guardian?.phone), "child.guardian.phone")
            require(child?.guardianshipConfirmedOn != nil, "child.guardianshipConfirmedOn")
        }
        if categories.contains(.leftBehindChild) {
            require(file.child?.parentsAway != nil, "child.parentsAway")
        }
        if categories.contains(.leftBehindElder) {
            require(file.elder?.livingArrangement != nil, "elder.livingArrangement")
            require(file.elder?.selfCare != nil, "elder.selfCare")
        }
        if categories.contains(.leftBehindWoman) {
            require(filled(file.woman?.employment), "woman.employment")
        }
        if categories.contains(.leftBehindChild) || categories.contains(.leftBehindWoman) || categories.contains(.leftBehindElder) {
            let reachable = (file.migrantFamily ?? []).contains { filled($0.phone) && filled($0.workProvince) }
            require(reachable, "migrantFamily")
        }
        return missing
    }

    /// Whether a child (by category) has no capable guardian: none recorded, unattended, a delegate
    /// who cannot cope, or an assessment of 差.
    public static func noCapableGuardian(_ file: PersonFile) -> Bool {
        guard file.activeCategories.contains(where: \.isChild) else { return false }
        guard let child = file.child, child.guardian != nil else { return true }
        if child.guardianshipType == .unattended || child.guardianshipType == .delegateInsufficient { return true }
        return child.guardianshipAssessment == .poor
    }
}
