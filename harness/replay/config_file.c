// SPDX-License-Identifier: MIT
/* INI configuration files through inih (config_file.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config_file.h"

struct load {
	FILE *f;
	unsigned long line; /* of the line inih read last */
	struct config_file *cf;
	bool oom;
};

/* inih reads through this, so the handler knows the line. */
static char *read_line(char *buf, int size, void *stream)
{
	struct load *l = stream;
	char *s = fgets(buf, size, l->f);

	if (s)
		l->line++;
	return s;
}

static char *join(const char *section, const char *name)
{
	size_t a = strlen(section), b = strlen(name);
	char *k = malloc(a + b + 2);

	if (!k)
		return NULL;
	if (a) {
		memcpy(k, section, a);
		k[a] = '.';
		memcpy(k + a + 1, name, b + 1);
	} else {
		memcpy(k, name, b + 1);
	}
	return k;
}

static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	struct load *l = user;
	struct config_file *cf = l->cf;
	struct config_pair *p;

	if (cf->n == cf->cap) {
		size_t cap = cf->cap ? 2 * cf->cap : 16;

		p = realloc(cf->pairs, cap * sizeof(*p));
		if (!p) {
			l->oom = true;
			return 0;
		}
		cf->pairs = p;
		cf->cap = cap;
	}
	p = &cf->pairs[cf->n];
	p->key = join(section, name);
	p->value = strdup(value);
	p->line = l->line;
	if (!p->key || !p->value) {
		free(p->key);
		free(p->value);
		l->oom = true;
		return 0;
	}
	cf->n++;
	return 1;
}

struct config_file *config_file_load(const char *path, char *err,
				     size_t errlen)
{
	struct load l = {0};
	int rc;

	l.cf = calloc(1, sizeof(*l.cf));
	if (!l.cf || !(l.cf->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		config_file_free(l.cf);
		return NULL;
	}
	l.f = fopen(path, "r");
	if (!l.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		config_file_free(l.cf);
		return NULL;
	}
	rc = ini_parse_stream(read_line, &l, on_pair, &l);
	fclose(l.f);
	if (l.oom)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (rc > 0)
		snprintf(err, errlen,
			 "%s:%d: expected 'KEY = VALUE' or '[section]'", path,
			 rc);
	else if (rc < 0)
		snprintf(err, errlen, "%s: cannot be read", path);
	if (l.oom || rc) {
		config_file_free(l.cf);
		return NULL;
	}
	return l.cf;
}

void config_file_free(struct config_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->pairs[i].key);
		free(f->pairs[i].value);
	}
	free(f->pairs);
	free(f->path);
	free(f);
}
