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
#endif
