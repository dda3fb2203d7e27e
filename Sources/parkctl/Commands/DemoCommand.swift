import ArgumentParser
import ParkCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the demo portfolio (Hengyang high-tech zone parks); running it again changes nothing.")
    @OptionGroup var staff: StaffOptions

    func run() throws {
        let summary = try DemoPortfolio(staff.session()).load()
        emit(summary.loaded ? "loaded the demo portfolio:\n" : "the demo portfolio is loaded already; nothing changed:\n")
        say("  parks:        \(summary.parks) (SW 湘南湘西软件产业园, EC 衡阳高新电商产业园, MF 红树林标准厂房)\n")
        say("  buildings:    \(summary.buildings)\n")
        say("  units:        \(summary.units)\n")
        say("  tenants:      \(summary.tenants)\n")
        say("  applications: \(summary.applications)\n")
        say("  leases:       \(summary.leases)\n")
        say("  tickets:      \(summary.tickets)\n")
        say("  bills:        \(summary.bills)\n")
        say("  payments:     \(summary.payments)\n")
        say("try: parkctl unit list --building SW/B1; parkctl lease list --expiring-within 90; parkctl ticket list --breached\n")
    }
}
