/*
 * test_sha256.c -- lib/ext2fs/sha256.c against the FIPS 180-4 examples.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "e2fc.h"

static void sha_hex(const void *p, size_t len, unsigned reps, char *out)
{
	struct e2fc_sha256 s;
	uint8_t d[32];
	unsigned i;

	e2fc_sha256_init(&s);
	for (i = 0; i < reps; i++)
		e2fc_sha256_update(&s, p, len);
	e2fc_sha256_final(&s, d);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256(void)
{
	static const char m448[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char a[1000], h[65];

	sha_hex("abc", 3, 1, h);
	CU_ASSERT_STRING_EQUAL(h, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
	sha_hex("", 0, 1, h);
	CU_ASSERT_STRING_EQUAL(h, "e3b0c44298fc1c149afbf4c8996fb924"
			       "27ae41e4649b934ca495991b7852b855");
	sha_hex(m448, strlen(m448), 1, h);
	CU_ASSERT_STRING_EQUAL(h, "248d6a61d20638b8e5c026930c3e6039"
			       "a33ce45964ff2167f6ecedd419db06c1");
	/* one million 'a', fed in pieces that cross the 64-byte blocks */
	memset(a, 'a', sizeof(a));
	sha_hex(a, sizeof(a), 1000, h);
	CU_ASSERT_STRING_EQUAL(h, "cdc76e5c9914fb9281a1c7e284d73e67"
			       "f1809a48a497200e046d39ccc7112cd0");
}

static CU_TestInfo tests[] = {
	{ "sha256 FIPS 180-4 vectors", test_sha256 },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("sha256", tests);
