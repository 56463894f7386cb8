#ifndef TOUCHPOINT_CREADLINE_SHIM_H
#define TOUCHPOINT_CREADLINE_SHIM_H

#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

/* Small setters so Swift 6 never assigns readline's C globals directly. */

static inline void tp_rl_set_completion(rl_completion_func_t *fn) {
    rl_attempted_completion_function = fn;
}

static inline void tp_rl_set_completion_over(int value) {
    rl_attempted_completion_over = value;
}

static inline void tp_rl_set_catch_signals(int value) {
    rl_catch_signals = value;
    rl_catch_sigwinch = value;
}

static inline void tp_rl_set_readline_name(const char *name) {
    rl_readline_name = name;
}

static inline const char *tp_rl_line_buffer(void) {
    return rl_line_buffer;
}

static inline void tp_rl_set_instream(FILE *in, FILE *out) {
    rl_instream = in;
    rl_outstream = out;
}

#endif
