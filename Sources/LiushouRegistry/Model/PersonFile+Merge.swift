extension PersonFile {
    /// This stored file with a ledger row's values laid over it, field by field: what the ledger
    /// fills replaces, what it leaves empty is kept, migrant members are matched by relationship and
    /// name, and the ledger's categories are added to the open ones.
    public func merging(ledger: PersonFile) -> PersonFile {
        var merged = self
        merged.name = ledger.name
        merged.sex = ledger.sex ?? self.sex
        merged.ethnicity = ledger.ethnicity ?? self.ethnicity
        merged.birthDate = ledger.birthDate ?? self.birthDate
        merged.idNumber = ledger.idNumber ?? self.idNumber
        merged.phone = ledger.phone ?? self.phone
        merged.householdRegistration = ledger.householdRegistration ?? self.householdRegistration
        merged.currentAddress = ledger.currentAddress ?? self.currentAddress
        merged.villageId = ledger.villageId
        merged.gridId = ledger.gridId ?? (ledger.villageId == self.villageId ? self.gridId : nil)
        merged.householdId = ledger.householdId ?? (ledger.villageId == self.villageId ? self.householdId : nil)
        let open = Set(self.activeCategories)
        merged.categories = self.categories + ledger.categories.filter { !open.contains($0.category) }
        merged.health =
            ledger.health.map { health in
                guard let old = self.health, old.status == health.status else { return health }
                return Health(
                    status: health.status,
                    disabilityType: health.disabilityType ?? old.disabilityType,
                    disabilityGrade: health.disabilityGrade ?? old.disabilityGrade,
                    illness: health.illness ?? old.illness
                )
            } ?? self.health
        merged.assistance = ledger.assistance ?? self.assistance
        merged.incomeSource = ledger.incomeSource ?? self.incomeSource
        merged.riskLevel = ledger.riskLevel ?? self.riskLevel
        merged.child = Self.merge(self.child, ledger.child)
        merged.elder =
            ledger.elder.map { elder in
                Elder(
                    livingArrangement: elder.livingArrangement ?? self.elder?.livingArrangement,
                    selfCare: elder.selfCare ?? self.elder?.selfCare,
                    chronicIllness: elder.chronicIllness ?? self.elder?.chronicIllness
                )
            } ?? self.elder
        merged.woman =
            ledger.woman.map { woman in
                Woman(employment: woman.employment ?? self.woman?.employment, trainingNeeds: woman.trainingNeeds ?? self.woman?.trainingNeeds)
            } ?? self.woman
        merged.migrantFamily = Self.merge(self.migrantFamily, ledger.migrantFamily)
        merged.responsibleCadre =
            ledger.responsibleCadre.map { cadre in
                Contact(name: cadre.name, phone: cadre.phone ?? (cadre.name == self.responsibleCadre?.name ? self.responsibleCadre?.phone : nil))
            } ?? self.responsibleCadre
        return merged
    }

    private static func merge(_ stored: Child?, _ ledger: Child?) -> Child? {
        guard let ledger else { return stored }
        guard let stored else { return ledger }
        let stage = ledger.schoolStage ?? stored.schoolStage
        var guardian = ledger.guardian ?? stored.guardian
        if let new = ledger.guardian, let old = stored.guardian, new.name == old.name {
            guardian = Guardian(
                personId: old.personId,
                name: new.name,
                phone: new.phone ?? old.phone,
                idNumber: new.idNumber ?? old.idNumber,
                relationship: new.relationship.isEmpty ? old.relationship : new.relationship,
                address: new.address ?? old.address
            )
        }
        return Child(
            // A dropped-out child stays on the school's roll (辍学不销学籍): the school is kept.
            schoolStage: stage,
            schoolId: stage?.attendsSchool == false && stage != .droppedOut ? nil : (ledger.schoolId ?? stored.schoolId),
            boarding: ledger.boarding ?? stored.boarding,
            parentsAway: ledger.parentsAway ?? stored.parentsAway,
            guardianshipType: ledger.guardianshipType ?? stored.guardianshipType,
            guardianshipAssessment: ledger.guardianshipAssessment ?? stored.guardianshipAssessment,
            guardian: guardian,
            guardianshipConfirmedOn: ledger.guardianshipConfirmedOn ?? stored.guardianshipConfirmedOn
        )
    }

    private static func merge(_ stored: [MigrantMember]?, _ ledger: [MigrantMember]?) -> [MigrantMember]? {
        guard let ledger else { return stored }
        var members = stored ?? []
        for new in ledger {
            guard let index = members.firstIndex(where: { $0.relationship == new.relationship && $0.name == new.name }) else {
                members.append(new)
                continue
            }
            let old = members[index]
            members[index] = MigrantMember(
                name: new.name,
                relationship: new.relationship,
                idNumber: new.idNumber ?? old.idNumber,
                workProvince: new.workProvince ?? old.workProvince,
                workCity: new.workCity ?? old.workCity,
                employer: new.employer ?? old.employer,
                phone: new.phone ?? old.phone,
                awaySince: new.awaySince ?? old.awaySince,
                lastContactOn: new.lastContactOn ?? old.lastContactOn
            )
        }
        return members
    }
}
