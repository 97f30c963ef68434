/*
 * fc_imap.c -- a small open-addressing map from inode numbers to pointers
 * (the event timeline's inode states and names).
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_events_int.h"

static unsigned imap_slot(const struct imap *m, ext2_ino_t ino)
{
	unsigned i = (ino * 2654435761U) & (m->cap - 1);

	while (m->k[i] && m->k[i] != ino)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *e2fc_imap_get(const struct imap *m, ext2_ino_t ino)
{
	unsigned i;

	if (!m->cap)
		return NULL;
	i = imap_slot(m, ino);
	return m->k[i] ? m->v[i] : NULL;
}

static errcode_t imap_grow(struct imap *m)
{
	struct imap nm = { 0 };
	unsigned i, s;

	nm.cap = m->cap ? m->cap * 2 : 64;
	nm.k = calloc(nm.cap, sizeof(*nm.k));
	nm.v = calloc(nm.cap, sizeof(*nm.v));
	if (!nm.k || !nm.v) {
		free(nm.k);
		free(nm.v);
		return EXT2_ET_NO_MEMORY;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->k[i])
			continue;
		s = imap_slot(&nm, m->k[i]);
		nm.k[s] = m->k[i];
		nm.v[s] = m->v[i];
	}
	nm.n = m->n;
	free(m->k);
	free(m->v);
	*m = nm;
	return 0;
}

/* set ino's value (ino != 0); the old value is returned in *old */
errcode_t e2fc_imap_put(struct imap *m, ext2_ino_t ino, void *v,
			void **old)
{
	errcode_t err;
	unsigned i;

	*old = NULL;
	if ((m->n + 1) * 2 > m->cap) {
		err = imap_grow(m);
		if (err)
			return err;
	}
	i = imap_slot(m, ino);
	if (m->k[i])
		*old = m->v[i];
	else
		m->n++;
	m->k[i] = ino;
	m->v[i] = v;
	return 0;
}

void e2fc_imap_free(struct imap *m, void (*fn)(void *))
{
	unsigned i;

	for (i = 0; i < m->cap; i++)
		if (m->k[i] && fn)
			fn(m->v[i]);
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

