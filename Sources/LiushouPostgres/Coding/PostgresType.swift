/// A PostgreSQL data type, identified by its object id (OID).
public struct PostgresType: Hashable, Sendable, CustomStringConvertible {
    /// The type's OID as reported by the server; `0` means "let the server infer".
    public let oid: UInt32

    /// Wraps an OID.
    public init(oid: UInt32) {
        self.oid = oid
    }

    public static let unspecified = PostgresType(oid: 0)
    public static let bool = PostgresType(oid: 16)
    public static let bytea = PostgresType(oid: 17)
    public static let char = PostgresType(oid: 18)
    public static let name = PostgresType(oid: 19)
    public static let int8 = PostgresType(oid: 20)
    public static let int2 = PostgresType(oid: 21)
    public static let int4 = PostgresType(oid: 23)
    public static let text = PostgresType(oid: 25)
    public static let oidType = PostgresType(oid: 26)
    public static let json = PostgresType(oid: 114)
    public static let float4 = PostgresType(oid: 700)
    public static let float8 = PostgresType(oid: 701)
    public static let unknown = PostgresType(oid: 705)
    public static let bpchar = PostgresType(oid: 1042)
    public static let varchar = PostgresType(oid: 1043)
    public static let date = PostgresType(oid: 1082)
    public static let time = PostgresType(oid: 1083)
    public static let timestamp = PostgresType(oid: 1114)
    public static let timestamptz = PostgresType(oid: 1184)
    public static let interval = PostgresType(oid: 1186)
    public static let numeric = PostgresType(oid: 1700)
    public static let uuid = PostgresType(oid: 2950)
    public static let jsonb = PostgresType(oid: 3802)

    public static let boolArray = PostgresType(oid: 1000)
    public static let byteaArray = PostgresType(oid: 1001)
    public static let int2Array = PostgresType(oid: 1005)
    public static let int4Array = PostgresType(oid: 1007)
    public static let textArray = PostgresType(oid: 1009)
    public static let bpcharArray = PostgresType(oid: 1014)
    public static let varcharArray = PostgresType(oid: 1015)
    public static let int8Array = PostgresType(oid: 1016)
    public static let float4Array = PostgresType(oid: 1021)
    public static let float8Array = PostgresType(oid: 1022)
    public static let timestampArray = PostgresType(oid: 1115)
    public static let dateArray = PostgresType(oid: 1182)
    public static let timestamptzArray = PostgresType(oid: 1185)
    public static let numericArray = PostgresType(oid: 1231)
    public static let uuidArray = PostgresType(oid: 2951)
    public static let jsonArray = PostgresType(oid: 199)
    public static let jsonbArray = PostgresType(oid: 3807)

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "boolean", 17: "bytea", 18: "char", 19: "name", 20: "bigint",
        21: "smallint", 23: "integer", 25: "text", 26: "oid", 114: "json", 700: "real",
        701: "double precision", 705: "unknown", 1042: "character", 1043: "character varying",
        1082: "date", 1083: "time", 1114: "timestamp", 1184: "timestamptz", 1186: "interval",
        1700: "numeric", 2950: "uuid", 3802: "jsonb", 1000: "boolean[]", 1001: "bytea[]",
        1005: "smallint[]", 1007: "integer[]", 1009: "text[]", 1014: "character[]",
        1015: "character varying[]", 1016: "bigint[]", 1021: "real[]", 1022: "double precision[]",
        1115: "timestamp[]", 1182: "date[]", 1185: "timestamptz[]", 1231: "numeric[]",
        2951: "uuid[]", 199: "json[]", 3807: "jsonb[]",
    ]

    private static let arrayElements: [UInt32: UInt32] = [
        1000: 16, 1001: 17, 1005: 21, 1007: 23, 1009: 25, 1014: 1042, 1015: 1043, 1016: 20,
        1021: 700, 1022: 701, 1115: 1114, 1182: 1082, 1185: 1184, 1231: 1700, 2951: 2950,
        199: 114, 3807: 3802,
    ]

    /// The element type when this is a known one-dimensional array type.
    public var arrayElementType: PostgresType? {
        Self.arrayElements[self.oid].map(PostgresType.init(oid:))
    }

    /// Whether this is one of PostgreSQL's character types.
    public var isTextual: Bool {
        [25, 1043, 1042, 19, 18, 705].contains(self.oid)
    }

    /// Whether the type was defined at run time (extensions, enums, domains): OIDs of built-in types are below 10000.
    public var isUserDefined: Bool {
        self.oid >= 10_000
    }

    public var description: String {
        Self.names[self.oid] ?? "oid \(self.oid)"
    }
}
