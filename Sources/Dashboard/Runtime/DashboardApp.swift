import Foundation

/// The UI thread: reads keys, drains events, runs `update`, paints `render` when the screen changed.
public final class DashboardApp {
    private var state: DashboardState
    private let screen: TerminalScreen
    private let effects: any DashboardEffects
    private let catalog: ThemeCatalog
    private let inbox = EventInbox()
    private var running = true
    /// Set by every dispatched event: only then can the frame differ, so an idle dashboard renders once a tick
    /// instead of on every 100 ms wake-up.
    private var stateChanged = true

    public init(state: DashboardState, screen: TerminalScreen, effects: any DashboardEffects, catalog: ThemeCatalog, theme: Theme) {
        self.state = state
        self.screen = screen
        self.effects = effects
        self.catalog = catalog
        screen.apply(theme)
        screen.setMouse(state.mouseEnabled)
    }

    /// Runs until `q` or Ctrl-C, or until the terminal is gone; the terminal is restored before it returns.
    public func run() {
        defer { screen.close() }
        effects.start(posting: inbox)
        defer { effects.stop() }
        var painted: CellGrid?
        var startupCodeReleased = false
        var lastTick = Date()
        dispatch(.resized(screen.size))
        while running {
            switch screen.read(timeoutMilliseconds: 100) {
            case .key(let key)?: dispatch(.key(key))
            case .mouse(let kind, let x, let y)?: dispatch(.mouse(MouseEvent(kind: kind, x: x, y: y, screen: screen.size)))
            case .resized?:
                screen.clearForResize()
                dispatch(.resized(screen.size))
                painted = nil
            case .gone?:
                // The terminal hung up or closed: nobody can see or type any more. End, rather than spin on reads
                // that fail at once.
                running = false
            case nil: break
            }
            for event in inbox.drain() { dispatch(event) }
            if Date().timeIntervalSince(lastTick) >= 1 {
                lastTick = Date()
                dispatch(.tick(lastTick))
            }
            guard running else { break }
            guard stateChanged || painted == nil else { continue }
            stateChanged = false
            let grid = render(state, size: screen.size)
            if grid != painted {
                screen.paint(grid)
                painted = grid
            }
            if !startupCodeReleased, state.snapshot != nil {
                startupCodeReleased = true
                ResidentCode.release()
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
        stateChanged = true
        for command in commands { perform(command) }
    }

    private func perform(_ command: Command) {
        switch command {
        case .quit: running = false
        case .copyToClipboard(let text): screen.copyToClipboard(text)
        case .setMouse(let enabled): screen.setMouse(enabled)
        case .useTheme(let name):
            let (theme, error) = catalog.loadWithFallback(name)
            screen.apply(theme)
            if let error { dispatch(.themeFailed(message: error.description)) }
        default: effects.handle(command)
        }
    }
}
