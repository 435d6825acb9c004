import Foundation
import LunasRuntime

extension ScriptOutput {
    /// `print` to standard output and log lines to standard error, each erasing the progress
    /// line first: on a terminal both streams share the line it is drawn on.
    static func terminal(progress: ProgressLine?) -> ScriptOutput {
        guard let progress else { return .standard }
        let standard = ScriptOutput.standard
        return ScriptOutput { record in
            progress.clear()
            standard.write(record)
        }
    }
}
