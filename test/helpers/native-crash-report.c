/*
 * A crash reporter for the kernels the tests start (LD_PRELOAD; see
 * native-crash-report.ts). When a kernel dies of a native fault (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE) or aborts (glibc's "malloc assertion failure",
 * which a heap corruption causes), it writes the thread's native stack to
 * stderr, which Jupyter's log and the test's failure message carry, and then
 * dies of the same signal. Frames without an exported symbol read
 * "library(+offset)": resolve them against the same library with addr2line
 * or gdb. Nothing here allocates memory: the heap may be what is broken.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int reported[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static void say(const char *text) {
  ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
  (void)ignored;
}

static void say_number(long value) {
  char digits[24];
  int at = (int)sizeof digits - 1;
  digits[at] = '\0';
  if (value == 0) digits[--at] = '0';
  while (value > 0 && at > 0) {
    digits[--at] = (char)('0' + value % 10);
    value /= 10;
  }
  say(digits + at);
}

static void report(int signal_number) {
  void *frames[64];
  int count = backtrace(frames, 64);
  say("\n[native crash report] signal ");
  say_number(signal_number);
  say(signal_number == SIGABRT ? " (abort)" : signal_number == SIGSEGV ? " (segmentation fault)" : "");
  say(" in process ");
  say_number((long)getpid());
  say(", thread ");
  say_number((long)syscall(SYS_gettid));
  say("; native stack:\n");
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  say("[native crash report] end\n");
  /* SA_RESETHAND restored the default action: the signal, raised again, ends the process as before. */
  raise(signal_number);
}

__attribute__((constructor)) static void install(void) {
  /* backtrace() loads libgcc on its first call, which allocates: do it now, while the heap is sound. */
  void *warm[2];
  backtrace(warm, 2);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = report;
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (unsigned i = 0; i < sizeof reported / sizeof reported[0]; i++) {
    struct sigaction previous;
    /* Keep a handler someone installed before us (none is expected at load time). */
    if (sigaction(reported[i], NULL, &previous) == 0 && previous.sa_handler == SIG_DFL) sigaction(reported[i], &action, NULL);
  }
}
