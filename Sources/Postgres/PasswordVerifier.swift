import CLibPQ

extension Connection {
    /// The verifier a server stores for `password` (SCRAM-SHA-256, or whatever
    /// `password_encryption` asks for), computed here by libpq
    /// (`PQencryptPasswordConn`), so that the password itself never travels to the
    /// server or into its logs.
    ///
    /// ```swift
    /// let verifier = try conn.passwordVerifier("s3cret", user: "li_lei")
    /// try conn.query("SELECT parkctl_staff_add(\(name), \(role), \(parks), \(verifier))")
    /// ```
    public func passwordVerifier(_ password: String, user: String, algorithm: String = "scram-sha-256") throws -> String {
        let h = try liveHandle()
        guard let raw = PQencryptPasswordConn(h, password, user, algorithm) else {
            throw PostgresError(kind: .client, message: "cannot compute a password verifier: \(Connection.trimmed(PQerrorMessage(h)))")
        }
        defer { PQfreemem(raw) }
        return String(cString: raw)
    }
}
