#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""lib-graph.py -- check the shape of libe2fc (doc/design.md, issue 12).

usage: lib-graph.py SRCDIR OBJDIR [-v]

SRCDIR holds the library's sources (lib/ext2fs), OBJDIR its objects.
Checks three rules and prints one line for each rule broken:

  include graph  no cycle among the #include "..." lines of SRCDIR's
                 .c and .h files;
  call graph     no cycle among the objects, an object calling another
                 when it needs a symbol the other defines (nm);
  global state   no writable data (.data, .bss, COMMON) but the symbols
                 of ALLOWED below, each with the reason it is no
                 replay's state.

Prints "lib-graph: ok" when all three hold (with -v, the graphs' sizes
and the writable symbols found too); exits 1 when one does not, 2 on bad
usage or when nm/objdump fail.
"""
import os
import re
import subprocess
import sys

# writable data of the library that is allowed, and why it is no replay's
# state: (object, symbol) -> reason
ALLOWED = {
    ('crc32c.o', 'crc_table'):
        'the slice-by-8 crc32c table, filled once, the same for everyone',
    ('crc32c.o', 'table_ready'): 'crc_table is filled',
    ('crc32c.o', 'hw_state'): 'whether the CPU has the crc32 instruction',
    ('crc32c.o', 'zs'):
        'e2fc_crc32c_wide\'s tables of crc32c over zero runs, made once '
        'per length, the same for everyone',
    ('crc32c.o', 'zs_used'): 'how many zs slots are made',
    ('crc32c.o', 'zs_lock'): 'the mutex of making a zs slot',
    ('fc_api.o', 'tables_once'):
        'pthread_once of adding the error tables to com_err',
    ('fc_err.o', 'link'): 'compile_et output: com_err\'s list entry',
    ('overlay_io.o', 'e2fc_overlay_io_manager'):
        'the io_manager pointer, as libext2fs\'s unix_io_manager',
    ('overlay_io.o', 'overlay_manager'):
        'the io_manager\'s operations (libext2fs takes it non-const)',
    ('overlay_io.o', 'live'):
        'live overlays, so an io option can name one (each open has its '
        'own overlay; nothing is shared between two)',
    ('overlay_io.o', 'last_id'): 'the id of the last overlay made',
    ('overlay_io.o', 'registry_lock'):
        'the mutex of live, last_id and the overlays\' reference counts',
}

WRITABLE = re.compile(r'^\.(data|bss)(\.|$)')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def cycles(graph):
    """the strongly connected components with a cycle (Tarjan)"""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def include_graph(src):
    files = sorted(f for f in os.listdir(src) if f.endswith(('.c', '.h')))
    graph = {}
    for f in files:
        with open(os.path.join(src, f), errors='replace') as fp:
            deps = {m.group(1) for m in map(INCLUDE.match, fp) if m}
        graph[f] = {d for d in deps if d in files}
    return graph


def run(cmd):
    try:
        return subprocess.run(cmd, check=True, capture_output=True,
                              text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print('lib-graph: %s: %s' % (' '.join(cmd), e), file=sys.stderr)
        sys.exit(2)


def call_graph(objs):
    defs, uses = {}, {}
    for o in objs:
        uses[o] = set()
        for line in run(['nm', o]).splitlines():
            f = line.split()
            if len(f) == 2 and f[0] == 'U':
                uses[o].add(f[1])
            elif len(f) == 3 and f[1] in 'TDBRCGSV':
                defs.setdefault(f[2], o)
    return {o: {defs[s] for s in uses[o] if s in defs} - {o}
            for o in objs}


def writable(objs):
    found = []
    for o in objs:
        for line in run(['objdump', '-t', o]).splitlines():
            f = line.split()
            # value flags... section size name; the flags hold 'O' for
            # an object
            if len(f) < 5 or 'O' not in f[1:-3]:
                continue
            sect, name = f[-3], f[-1]
            if name.startswith('__'):
                continue	# the compiler's (e.g. ASan's __odr_asan.*)
            if WRITABLE.match(sect) and not sect.startswith('.data.rel.ro') \
               or sect == '*COM*':
                found.append((os.path.basename(o), re.sub(r'\.\d+$', '',
                                                          name)))
    return found


def main(argv):
    verbose = '-v' in argv
    args = [a for a in argv if a != '-v']
    if len(args) != 2:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    src, objdir = args
    objs = sorted(os.path.join(objdir, f) for f in os.listdir(objdir)
                  if f.endswith('.o'))
    if not objs:
        print('lib-graph: no objects in %s' % objdir, file=sys.stderr)
        return 2
    bad = 0
    inc = include_graph(src)
    for c in cycles(inc):
        print('include cycle: %s' % ' '.join(c))
        bad = 1
    calls = call_graph(objs)
    for c in cycles(calls):
        print('call cycle: %s' % ' '.join(os.path.basename(o) for o in c))
        bad = 1
    for o, s in writable(objs):
        if (o, s) not in ALLOWED:
            print('writable data: %s in %s' % (s, o))
            bad = 1
        elif verbose:
            print('writable data: %s in %s (%s)' % (s, o, ALLOWED[(o, s)]))
    if verbose:
        print('include graph: %d files, %d edges' %
              (len(inc), sum(map(len, inc.values()))))
        print('call graph: %d objects, %d edges' %
              (len(calls), sum(map(len, calls.values()))))
    print('lib-graph: %s' % ('broken' if bad else 'ok'))
    return bad


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
