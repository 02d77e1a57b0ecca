#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileSink {
    /// Sets the permission bits of the file being written (a program installed as 0755). A file that
    /// replaces another takes the replaced file's permissions when it is renamed into place.
    public func setPermissions(_ mode: mode_t) throws {
        guard fchmod(fd, mode) == 0 else {
            throw FileWriteError(path: path, reason: "setting its permissions failed (\(errnoText()))")
        }
    }
}
