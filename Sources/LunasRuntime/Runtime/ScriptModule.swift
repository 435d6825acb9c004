import LuaKit

/// A module a host adds to its runs (``RunRequest/modules``): a global table of functions and
/// constants, installed into each run's fresh state. ``HostModule`` declares one in a few calls;
/// a type of the host's own may conform too.
public protocol ScriptModule: Sendable {
    /// The global the module is installed as, e.g. `cart`.
    var name: String { get }
    /// The fields scripts may read in it (for checks that flag unknown names).
    var fields: Set<String> { get }
    /// Installs the module into `state`, as the global ``name``.
    func install(in state: LuaState) throws
}
