extension PersonFile {
    /// This stored file with a ledger row's values laid over it: what the ledger carries replaces,
    /// what it leaves empty is kept, and its categories are added to the open ones.
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
        merged.health = ledger.health ?? self.health
        merged.assistance = ledger.assistance ?? self.assistance
        merged.incomeSource = ledger.incomeSource ?? self.incomeSource
        merged.riskLevel = ledger.riskLevel ?? self.riskLevel
        merged.child = ledger.child.map { child in
            var child = child
            child.schoolId = child.schoolId ?? (child.schoolStage?.attendsSchool == false ? nil : self.child?.schoolId)
            return child
        } ?? self.child
        merged.elder = ledger.elder ?? self.elder
        merged.woman = ledger.woman ?? self.woman
        merged.migrantFamily = ledger.migrantFamily ?? self.migrantFamily
        merged.responsibleCadre = ledger.responsibleCadre ?? self.responsibleCadre
        return merged
    }
}
