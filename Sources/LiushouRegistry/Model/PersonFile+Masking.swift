import LiushouAccess

extension PersonFile {
    /// Identifiers and phones masked, for responses without a reveal.
    public func masked() -> PersonFile {
        self.mappingIDNumbers(Masking.idNumber).mappingPhones(Masking.phone)
    }

    /// Puts back the stored identifiers a client echoed in their masked form (a client that read a
    /// masked file and writes it back does not erase the numbers).
    public func restoringMasked(from stored: PersonFile) -> PersonFile {
        func keep(_ incoming: String?, _ old: String?, _ mask: (String) -> String) -> String? {
            guard let incoming, let old, incoming == mask(old) else { return incoming }
            return old
        }
        var copy = self
        copy.idNumber = keep(self.idNumber, stored.idNumber, Masking.idNumber)
        copy.phone = keep(self.phone, stored.phone, Masking.phone)
        let guardianID = keep(self.child?.guardian?.idNumber, stored.child?.guardian?.idNumber, Masking.idNumber)
        let guardianPhone = keep(self.child?.guardian?.phone, stored.child?.guardian?.phone, Masking.phone)
        copy.child?.guardian?.idNumber = guardianID
        copy.child?.guardian?.phone = guardianPhone
        let cadrePhone = keep(self.responsibleCadre?.phone, stored.responsibleCadre?.phone, Masking.phone)
        copy.responsibleCadre?.phone = cadrePhone
        if let members = self.migrantFamily {
            let old = stored.migrantFamily ?? []
            copy.migrantFamily = members.enumerated().map { index, member in
                guard index < old.count else { return member }
                var member = member
                member.idNumber = keep(member.idNumber, old[index].idNumber, Masking.idNumber)
                member.phone = keep(member.phone, old[index].phone, Masking.phone)
                return member
            }
        }
        return copy
    }

    /// The reduced file shown to those who serve one person (volunteers, school and clinic staff):
    /// no ID numbers, assistance, income or notes.
    public func limited() -> PersonFile {
        var copy = self.mappingIDNumbers { _ in "" }
        copy.idNumber = nil
        copy.child?.guardian?.idNumber = nil
        copy.migrantFamily = copy.migrantFamily?.map { member in
            var member = member
            member.idNumber = nil
            return member
        }
        copy.assistance = nil
        copy.incomeSource = nil
        copy.notes = nil
        return copy
    }
}
