#ifndef TOUCHPOINT_CREADLINE_SHIM_H
#define TOUCHPOINT_CREADLINE_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
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

/* Pre-filling the line editor: the text is inserted by readline's startup hook when the next line
   starts (rl_callback_handler_install runs it), so the customer sees it and Enter keeps it. */
/* (Storage lives in function-local statics: Swift emits the functions of this header it uses, but not
   its file-scope variables.) */
static inline char **tp_rl_prefill_slot(void) {
    static char *text = NULL;
    return &text;
}

static inline int tp_rl_prefill_hook(void) {
    char **slot = tp_rl_prefill_slot();
    if (*slot != NULL) {
        rl_insert_text(*slot);
        free(*slot);
        *slot = NULL;
    }
    return 0;
}

/* Sets (a copy of) the text the next line starts with; NULL for none. */
static inline void tp_rl_set_prefill(const char *text) {
    char **slot = tp_rl_prefill_slot();
    if (*slot != NULL) free(*slot);
    *slot = text != NULL ? strdup(text) : NULL;
    rl_startup_hook = tp_rl_prefill_hook;
}

static inline void tp_rl_redraw(void) {
    rl_forced_update_display();
}

/* Crash guard: while set, a crash signal restores these terminal settings before the previously
   installed handler (Swift's backtracer, writing its report to a file) runs. Only async-signal-safe
   calls in the handler. */
struct tp_guard_state {
    struct termios settings;
    volatile sig_atomic_t armed;
    struct sigaction previous[65];
};

static inline struct tp_guard_state *tp_guard(void) {
    static struct tp_guard_state state;
    return &state;
}

static void tp_guard_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    struct tp_guard_state *guard = tp_guard();
    if (guard->armed) tcsetattr(STDIN_FILENO, TCSANOW, &guard->settings);
    /* Hand the signal to the handler that was there before (Swift's backtracer, writing its report to
       a file) as a signal of its own: it runs when this handler returns. */
    sigaction(sig, &guard->previous[sig], NULL);
    if (info != NULL && info->si_code <= 0) {
        /* Sent by kill(), not caused by a fault: nothing recurs after the report to end the process, so
           SIGALRM does, with time for the report to be written first. */
        alarm(10);
    }
    raise(sig);
}

/* Installs the crash guard for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGTRAP (once). */
static inline void tp_guard_install(void) {
    static int installed = 0;
    if (installed) return;
    installed = 1;
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_sigaction = tp_guard_handler;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &tp_guard()->previous[signals[i]]);
    }
}

/* Arms the guard with the settings to restore on a crash. */
static inline void tp_guard_arm(const struct termios *settings) {
    tp_guard()->settings = *settings;
    tp_guard()->armed = 1;
}

/* Disarms the guard (the settings were restored the normal way). */
static inline void tp_guard_disarm(void) {
    tp_guard()->armed = 0;
}

#endif
