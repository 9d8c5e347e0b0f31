{#- Last.fm scrobble exports of one or more users, in whatever layout each file has:
      * CSV with a header naming an artist, a track and a time column (the Last.fm export
        `uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid` is one such);
      * header-less `artist,album,track,date` (lastfm-to-csv);
      * the Last.fm-1K TSV `userid, timestamp, artist_mbid, artist_name, track_mbid,
        track_name` (no header);
      * user.getRecentTracks JSON pages.
    All are mapped to one text layout; staging parses and checks the values. The user is
    taken from the data where the file has it, else from the file name. -#}

{% macro lastfm_header_aliases() -%}
    {{ return({
        'user_name': ['user', 'username', 'user_name', 'userid', 'user_id'],
        'artist_name': ['artist', 'artist_name', 'artistname', 'artist name',
            'master_metadata_album_artist_name'],
        'artist_mbid': ['artist_mbid', 'artist mbid', 'artistmbid'],
        'album_name': ['album', 'album_name', 'albumname', 'album name', 'release',
            'master_metadata_album_album_name'],
        'album_mbid': ['album_mbid', 'album mbid', 'albummbid', 'release_mbid'],
        'track_name': ['track', 'track_name', 'trackname', 'track name', 'title', 'song',
            'song_name', 'song_title', 'song title', 'track_title', 'name',
            'master_metadata_track_name'],
        'track_mbid': ['track_mbid', 'track mbid', 'trackmbid', 'recording_mbid', 'mbid'],
        'played_at_epoch': ['uts', 'unix_timestamp', 'timestamp_unix', 'epoch', 'unixtime'],
        'played_at_text': ['utc_time', 'timestamp', 'date', 'time', 'datetime', 'date_time',
            'played_at', 'scrobble_time', 'scrobbled_at', 'listened_at', 'ts', 'endtime',
            'played', 'time_utc', 'utc_date', 'scrobble_date'],
    }) }}
{%- endmacro %}

{% macro lastfm_columns() -%}
    {{ return(['user_name', 'artist_name', 'artist_mbid', 'album_name', 'album_mbid',
        'track_name', 'track_mbid', 'played_at_epoch', 'played_at_text', 'played_at_layout']) }}
{%- endmacro %}

{#- Map a header to our columns: {our column: header column or none}. -#}
{% macro lastfm_header_mapping(header_columns) -%}
    {%- set mapping = {} -%}
    {%- for ours, aliases in lastfm_header_aliases().items() -%}
        {%- set found = [] -%}
        {%- for a in aliases if a in header_columns and not found -%}
            {% do found.append(a) %}
        {%- endfor -%}
        {% do mapping.update({ours: found[0] if found else none}) %}
    {%- endfor -%}
    {{ return(mapping) }}
{%- endmacro %}

{#- The user name a file name implies: `alice_scrobbles.csv` -> alice,
    `bob_recenttracks_page2.json` -> bob; a later export of the same user keeps the user:
    `alice_scrobbles_2024-11-22.csv`, `alice_scrobbles (1).csv` -> alice. -#}
{% macro lastfm_user_from_filename(path_expr) -%}
    regexp_replace(
        regexp_replace(
            regexp_extract({{ path_expr }}, '[^/\\\\]+$'),
            '\.(csv|tsv|txt|json)(\.gz)?$', '', 'i'
        ),
        '([_. -](scrobbles?|listens?|history|recent_?tracks|lastfm|export|page_?[0-9]+'
        || '|[0-9]{4}-?[0-9]{2}(-?[0-9]{2})?|\([0-9]+\)|copy))+$',
        '',
        'i'
    )
{%- endmacro %}

{#- The header columns that may hold the play time, in order of preference. -#}
{% macro lastfm_time_candidates(header_columns) -%}
    {%- set aliases = lastfm_header_aliases() -%}
    {%- set found = [] -%}
    {%- for a in aliases.played_at_epoch + aliases.played_at_text
        if a in header_columns and a not in found -%}
        {% do found.append(a) %}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- A header-less `artist,album,track,date` file: four columns, the first line's last
    value a time or empty (a now-playing row), never a name. -#}
{% macro lastfm_is_plain_4(header) -%}
    {{ return(header.columns | length == 4 and (header.columns[3] in ['column3', '']
        or modules.re.search('[0-9]', header.columns[3]) is not none)) }}
{%- endmacro %}

{#- The layout of a file's play times: decided on the file (time_layouts.sql). -#}
{% macro lastfm_time_layout(path, relation, columns) -%}
    {%- set found = detect_time_layout(path, relation, columns, '2002-03-01') -%}
    {{ return(found if found else {'column': columns[0], 'layout': none}) }}
{%- endmacro %}

{#- `case filename when … then '<layout>' end`: the per-file layouts of one read_csv. -#}
{% macro layout_by_file(layouts) -%}
    case filename
        {%- for f, layout in layouts.items() %}
        when {{ sql_string(f) }} then {{ sql_string(layout) if layout else 'null' }}
        {%- endfor %}
    end
{%- endmacro %}

{% macro lastfm_raw_select(files) -%}
    {%- set iso_z = '^[0-9]{4}-[0-9]{2}-[0-9]{2}t[0-9:]{8}z?$' -%}
    {%- set headered = [] -%}
    {%- set tsv_1k = {} -%}
    {%- set plain_4 = {} -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- set tsv_columns = "columns = {'user_name': 'varchar', 'played_at_text': 'varchar', "
        ~ "'artist_mbid': 'varchar', 'artist_name': 'varchar', 'track_mbid': 'varchar', "
        ~ "'track_name': 'varchar'}" -%}
    {%- set plain_columns = "columns = {'artist_name': 'varchar', 'album_name': 'varchar', "
        ~ "'track_name': 'varchar', 'played_at_text': 'varchar'}" -%}
    {%- for f in files if f not in json_files -%}
        {%- set header = csv_header(f) -%}
        {%- set mapping = lastfm_header_mapping(header.columns) -%}
        {%- set times = lastfm_time_candidates(header.columns) -%}
        {%- if mapping.artist_name and mapping.track_name and times -%}
            {%- set quoted = [] -%}
            {%- for t in times %}{% do quoted.append('"' ~ t ~ '"') %}{% endfor -%}
            {%- set relation = 'read_csv(' ~ sql_string(f) ~ ', header = true, '
                ~ 'all_varchar = true, null_padding = true)' -%}
            {%- set time = lastfm_time_layout(f, relation, quoted) -%}
            {% do headered.append({'file': f, 'mapping': mapping, 'time': time}) %}
        {%- elif header.columns | length == 6 and header.delimiter == '\t'
            and modules.re.match(iso_z, header.columns[1]) -%}
            {%- set relation = 'read_csv(' ~ sql_string(f) ~ ", header = false, "
                ~ "auto_detect = false, delim = '\t', quote = '', escape = '', "
                ~ 'null_padding = true, ' ~ tsv_columns ~ ')' -%}
            {% do tsv_1k.update({f: lastfm_time_layout(f, relation, ['played_at_text']).layout}) %}
        {%- elif lastfm_is_plain_4(header) -%}
            {%- set relation = 'read_csv(' ~ sql_string(f) ~ ", header = false, "
                ~ "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                ~ 'null_padding = true, ' ~ plain_columns ~ ')' -%}
            {% do plain_4.update({f: lastfm_time_layout(f, relation, ['played_at_text']).layout}) %}
        {%- else -%}
            {{ lastfm_unknown_layout_error(f, header) }}
        {%- endif -%}
    {%- endfor -%}
    with {{ file_times_cte(files) }},
    parts as (
        select
            {%- for c in lastfm_columns() %}
            cast(null as varchar) as {{ c }},
            {%- endfor %}
            cast(null as varchar) as source_format,
            cast(null as varchar) as source_file
        where 1 = 0
        {%- for h in headered %}
        union all by name
        select
            {%- for c in lastfm_columns() %}
            {%- if c == 'played_at_text' %}
            "{{ h.time.column | replace('"', '') }}" as played_at_text,
            {%- elif c == 'played_at_layout' %}
            {{ sql_string(h.time.layout) if h.time.layout else 'null' }} as played_at_layout,
            {%- elif c == 'played_at_epoch' %}
            {%- elif h.mapping[c] %}
            "{{ h.mapping[c] }}" as {{ c }},
            {%- elif c == 'user_name' %}
            {{ lastfm_user_from_filename('filename') }} as user_name,
            {%- endif %}
            {%- endfor %}
            'csv_with_header' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string(h.file) }},
            header = true,
            all_varchar = true,
            null_padding = true,
            filename = true
        )
        {%- endfor %}
        {%- if tsv_1k %}
        union all by name
        select
            user_name,
            artist_name,
            artist_mbid,
            track_name,
            track_mbid,
            played_at_text,
            {{ layout_by_file(tsv_1k) }} as played_at_layout,
            'lastfm_1k_tsv' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string_list(tsv_1k.keys() | list) }},
            header = false,
            auto_detect = false,
            delim = '\t',
            quote = '',
            escape = '',
            null_padding = true,
            filename = true,
            {{ tsv_columns }}
        )
        {%- endif %}
        {%- if plain_4 %}
        union all by name
        select
            {{ lastfm_user_from_filename('filename') }} as user_name,
            artist_name,
            album_name,
            track_name,
            played_at_text,
            {{ layout_by_file(plain_4) }} as played_at_layout,
            'artist_album_track_date' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string_list(plain_4.keys() | list) }},
            header = false,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            null_padding = true,
            filename = true,
            {{ plain_columns }}
        )
        {%- endif %}
        {%- if json_files %}
        {{ lastfm_json_parts(json_files) }}
        {%- endif %}
    )
    select
        {%- for c in lastfm_columns() %}
        parts.{{ c }},
        {%- endfor %}
        parts.source_format,
        parts.source_file,
        file_times.file_modified_at
    from parts
    inner join file_times on parts.source_file = file_times.source_file
{%- endmacro %}

{#- user.getRecentTracks JSON: pages (`{"recenttracks": {"track": […], "@attr": {user}}}`)
    or a bare array of its track objects (what scripts save of `recenttracks.track`). The
    kind is told by the document's first character. -#}
{% macro lastfm_json_parts(json_files) -%}
    {%- set firsts = run_query('select filename, left(ltrim(content), 1) from read_text('
        ~ sql_string_list(json_files) ~ ')').rows -%}
    {%- set arrays = [] -%}
    {%- set pages = [] -%}
    {%- for r in firsts -%}
        {%- do (arrays if r[1] == '[' else pages).append(r[0]) -%}
    {%- endfor -%}
    {%- set text_struct = 'struct(mbid varchar, "#text" varchar, name varchar)' %}
    {%- set track_struct = 'struct(artist ' ~ text_struct ~ ', album '
        ~ text_struct ~ ', name varchar, mbid varchar, '
        ~ 'date struct(uts varchar, "#text" varchar), '
        ~ '"@attr" struct(nowplaying varchar))' %}
    {%- set recent_struct = 'struct(track ' ~ track_struct ~ '[], '
        ~ '"@attr" struct("user" varchar, page varchar))' %}
    {%- for kind in ['pages', 'arrays'] %}
    {%- set kind_files = pages if kind == 'pages' else arrays %}
    {%- if kind_files %}
    union all by name
    select
        coalesce(user_name, {{ lastfm_user_from_filename('filename') }}) as user_name,
        coalesce(t.artist."#text", t.artist.name) as artist_name,
        t.artist.mbid as artist_mbid,
        coalesce(t.album."#text", t.album.name) as album_name,
        t.album.mbid as album_mbid,
        t.name as track_name,
        t.mbid as track_mbid,
        t.date.uts as played_at_epoch,
        coalesce(
            t.date."#text",
            case when t."@attr".nowplaying = 'true' then 'now playing' end
        ) as played_at_text,
        cast(null as varchar) as played_at_layout,
        'recenttracks_json' as source_format,
        filename as source_file
    from (
        {%- if kind == 'pages' %}
        select
            filename,
            recenttracks."@attr"."user" as user_name,
            unnest(recenttracks.track) as t
        from read_json(
            {{ sql_string_list(kind_files) }},
            format = 'auto',
            filename = true,
            maximum_object_size = {{ max_file_size(kind_files) + 1048576 }},
            columns = {recenttracks: '{{ recent_struct }}'}
        )
        {%- else %}
        select
            filename,
            cast(null as varchar) as user_name,
            struct_pack(
                artist := artist, album := album, name := name, mbid := mbid, date := date,
                "@attr" := "@attr"
            ) as t
        from read_json(
            {{ sql_string_list(kind_files) }},
            format = 'array',
            filename = true,
            maximum_object_size = {{ max_file_size(kind_files) + 1048576 }},
            columns = {
                'artist': '{{ text_struct }}', 'album': '{{ text_struct }}', 'name': 'varchar',
                'mbid': 'varchar', 'date': 'struct(uts varchar, "#text" varchar)',
                '@attr': 'struct(nowplaying varchar)'
            }
        )
        {%- endif %}
    )
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The one-line error for a Last.fm file in none of the layouts we know (both engines). -#}
{% macro lastfm_unknown_layout_error(f, header) -%}
    {{ raw_file_error(f, 'not a Last.fm export layout we know (first line: '
        ~ header.columns | join(', ') ~ '); expected a header naming an artist, '
        ~ 'a track and a time column, header-less artist,album,track,date, '
        ~ 'or the Last.fm-1K TSV') }}
{%- endmacro %}
