import { describe, expect, test } from 'vitest';
import { ownersNamedBy, rolesNamedByPrivileges } from './archive-privileges.ts';

describe('rolesNamedByPrivileges', () => {
  test('grantees of object, column and default-privilege grants, quoted names kept as written, PUBLIC left out', () => {
    const sql = `
GRANT USAGE ON SCHEMA "My Schema" TO analyst;
GRANT SELECT(total) ON TABLE "My Schema".orders TO "Odd ""Name"" Here";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO PUBLIC;
GRANT SELECT ON TABLE public.t TO "public", "Upper" WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES FOR ROLE "Defaults Owner" IN SCHEMA "My Schema" GRANT SELECT ON TABLES TO writer, PUBLIC;
SET SESSION AUTHORIZATION grantor_role;
GRANT INSERT ON TABLE public.t TO CURRENT_USER;
RESET SESSION AUTHORIZATION;
`;
    expect(rolesNamedByPrivileges(sql)).toEqual(['Defaults Owner', 'Odd "Name" Here', 'Upper', 'analyst', 'grantor_role', 'public', 'writer']);
  });

  test('role membership grants name both sides; a string or comment naming TO is not read', () => {
    expect(rolesNamedByPrivileges(`GRANT reader, "Ops" TO app GRANTED BY admin; REVOKE ADMIN OPTION FOR reader FROM app2;`)).toEqual(['Ops', 'admin', 'app', 'app2', 'reader']);
    expect(rolesNamedByPrivileges(`-- GRANT x TO y\nCOMMENT ON SCHEMA s IS 'GRANT a TO b';`)).toEqual([]);
  });
});

describe('ownersNamedBy', () => {
  test('the owner each ALTER … OWNER TO names, a name with spaces and quotes read whole; a string or a comment naming OWNER TO is not read', () => {
    const sql = [
      '-- Name: orders; Type: TABLE; Schema: My Schema; Owner: Odd "Name" Here',
      'CREATE TABLE "My Schema".orders (id integer, note text DEFAULT \'ALTER TABLE x OWNER TO nobody\');',
      'ALTER TABLE "My Schema".orders OWNER TO "Odd ""Name"" Here";',
      'ALTER SCHEMA "My Schema" OWNER TO "two words";',
      'ALTER FUNCTION public.f(integer) OWNER TO app_owner;',
      'COMMENT ON TABLE "My Schema".orders IS \'ALTER TABLE y OWNER TO ghost\';',
    ].join('\n');
    expect(ownersNamedBy(sql)).toEqual(['Odd "Name" Here', 'app_owner', 'two words']);
  });
});
