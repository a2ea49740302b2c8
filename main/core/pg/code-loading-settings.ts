// Settings whose value makes the server load a library, run code or a program, use a file or
// directory it names, or switch off a check it makes. A backup is untrusted (its database-level entries, its roles file): such a
// setting from one is never applied, whoever restores it. The one list every reader of a dump uses
// (restore/database-properties.ts, drill/roles-file.ts); it once lived in two places, and the
// restore's copy had lost dynamic_library_path.
//
// Names are matched case-insensitively, as the server looks them up. Most of the file and program
// settings cannot be set per database or role at all (the server refuses them); they are listed so a
// dump naming one is left out with a reason, not refused by the server halfway through a restore.

const RULES: ReadonlyArray<{ names: RegExp; why: string }> = [
  {
    // dynamic_library_path decides which file LOAD and CREATE FUNCTION … LANGUAGE C open.
    names: /^(?:session_preload_libraries|local_preload_libraries|shared_preload_libraries|dynamic_library_path|jit_provider|archive_library)$/i,
    why: 'loads a library into the server',
  },
  {
    // plperl.on_init / on_plperl_init / on_plperlu_init are Perl code; pltcl(u).start_proc and plv8.start_proc name a function run when the language starts.
    names: /^(?:plperl\.on_(?:plperlu?_)?init|[a-z0-9_]+\.start_proc)$/i,
    why: 'runs code when a session first uses its language',
  },
  {
    names: /^(?:archive_command|restore_command|archive_cleanup_command|recovery_end_command|ssl_passphrase_command)$/i,
    why: 'runs a program on the server',
  },
  {
    // PL/Java starts a JVM in the server: its library, its options (-XX:OnOutOfMemoryError= runs a program, -javaagent: loads code) and its jars.
    names: /^pljava\.[a-z0-9_]+$/i,
    why: 'chooses the Java VM, its options or its code for the server',
  },
  {
    // PostGIS rasters stored outside the database are files the server opens for any user who names one.
    names: /^postgis\.(?:enable_outdb_rasters|gdal_enabled_drivers|gdal_datapath|gdal_vsi_options)$/i,
    why: 'lets queries read files the server can reach',
  },
  {
    // Superuser-only, so a superuser restoring the backup would pass them on: large objects without
    // privilege checks, triggers and foreign keys not fired, writable system catalogues, damaged or
    // checksum-failing pages read (or zeroed) without an error.
    names:
      /^(?:lo_compat_privileges|session_replication_role|allow_system_table_mods|allow_in_place_tablespaces|zero_damaged_pages|ignore_checksum_failure|ignore_invalid_pages|ignore_system_indexes)$/i,
    why: 'switches off a check the server makes',
  },
  {
    names:
      /^(?:data_directory|config_file|hba_file|ident_file|external_pid_file|krb_server_keyfile|ssl_(?:cert|key|ca|crl|dh_params)_file|ssl_crl_dir|log_directory|log_filename|stats_temp_directory|unix_socket_directories|plv8\.icu_data)$/i,
    why: 'names a file or directory on the server',
  },
];

/** Why a setting of this name is never taken from a backup, or undefined when it may be. */
export function codeLoadingSetting(name: string): string | undefined {
  return RULES.find((rule) => rule.names.test(name))?.why;
}
