#ifndef WSYNC_CNCURSES_SHIM_H
#define WSYNC_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

/* Swift 6 cannot touch C globals and function-like macros: expose them as functions. */
static inline WINDOW *wsync_stdscr(void) { return stdscr; }
static inline int wsync_lines(void) { return LINES; }
static inline int wsync_cols(void) { return COLS; }
static inline int wsync_colors(void) { return COLORS; }
static inline int wsync_color_pair(int n) { return COLOR_PAIR(n); }
static inline int wsync_key_resize(void) { return KEY_RESIZE; }
static inline int wsync_err(void) { return ERR; }
static inline int wsync_key_code_yes(void) { return KEY_CODE_YES; }
static inline attr_t wsync_a_bold(void) { return A_BOLD; }
static inline attr_t wsync_a_underline(void) { return A_UNDERLINE; }
static inline attr_t wsync_a_reverse(void) { return A_REVERSE; }
static inline attr_t wsync_a_dim(void) { return A_DIM; }

/* Mouse reporting: the left button's press and the wheel; 0 turns reporting off. Presses are reported at once
   (no click interval). */
static inline void wsync_mouse(int on) {
    mousemask(on ? (BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0, NULL);
    mouseinterval(0);
}
static inline int wsync_key_mouse(void) { return KEY_MOUSE; }
/* The pending mouse event: 1 left press, 4 wheel up, 5 wheel down, 0 anything else. */
static inline int wsync_read_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_PRESSED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 4;
    if (event.bstate & BUTTON5_PRESSED) return 5;
    return 0;
}

/* Paints one grapheme (up to CCHARW_MAX code points) at (y, x): setcchar needs a C array and a cchar_t. */
static inline int wsync_put_cell(int y, int x, const wchar_t *chars, int count, attr_t attrs, short pair) {
    wchar_t text[CCHARW_MAX + 1];
    int n = count < CCHARW_MAX ? count : CCHARW_MAX;
    for (int i = 0; i < n; i++) text[i] = chars[i];
    text[n] = 0;
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}
#endif
