import Foundation

/// The UI thread: reads keys, drains events, runs `update`, paints `render` when the screen changed.
public final class DashboardApp {
    private var state: DashboardState
    private let screen: TerminalScreen
    private let effects: any DashboardEffects
    private let catalog: ThemeCatalog
    private let inbox = EventInbox()
    private var running = true

    public init(state: DashboardState, screen: TerminalScreen, effects: any DashboardEffects, catalog: ThemeCatalog, theme: Theme) {
        self.state = state
        self.screen = screen
        self.effects = effects
        self.catalog = catalog
        screen.apply(theme)
    }

    /// Runs until `q` or Ctrl-C; the terminal is restored before it returns.
    public func run() {
        defer { screen.close() }
        effects.start(posting: inbox)
        defer { effects.stop() }
        var painted: CellGrid?
        var lastTick = Date()
        dispatch(.resized(screen.size))
        while running {
            switch screen.read(timeoutMilliseconds: 100) {
            case .key(let key)?: dispatch(.key(key))
            case .resized?:
                screen.clearForResize()
                dispatch(.resized(screen.size))
                painted = nil
            case nil: break
            }
            for event in inbox.drain() { dispatch(event) }
            if Date().timeIntervalSince(lastTick) >= 1 {
                lastTick = Date()
                dispatch(.tick(lastTick))
            }
            guard running else { break }
            let grid = render(state, size: screen.size)
            if grid != painted {
                screen.paint(grid)
                painted = grid
            }
        }
    }

    /// A message to show right away, e.g. why the requested theme was not used.
    public func post(_ event: Event) { inbox.post(event) }

    /// Where other threads post events (a signal handler asking to quit, say).
    public var events: EventInbox { inbox }

    private func dispatch(_ event: Event) {
        let (next, commands) = update(state, event)
        state = next
        for command in commands { perform(command) }
    }

    private func perform(_ command: Command) {
        switch command {
        case .quit: running = false
        case .useTheme(let name):
            let (theme, error) = catalog.loadWithFallback(name)
            screen.apply(theme)
            if let error { dispatch(.themeFailed(message: error.description)) }
        default: effects.handle(command)
        }
    }
}
