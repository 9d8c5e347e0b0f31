{#- The raw loaders on Spark. Spark cannot put a view over files with reader options in a
    schema (a permanent view may not read a temporary one), so each raw source becomes a
    Parquet table in `raw`, rebuilt by the on-run-start hook from one temporary view per
    file. Every value stays text, as on DuckDB; staging types it. File listing, sizes and
    times come from Spark's `binaryFile` source (content is never read). String literals
    are raw (`spark.sql.parser.escapedStringLiterals`, set in the profile), as on DuckDB. -#}

{% macro spark__register_raw_sources() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.schema == 'raw' -%}
        {%- set body = spark_raw_source_select(node) -%}
        {%- do run_query('drop table if exists raw.' ~ node.identifier) -%}
        {%- do run_query('create table raw.' ~ node.identifier ~ ' using parquet as\n' ~ body) -%}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}

{#- The files under the raw dir matching a glob (relative to the raw dir), sorted:
    {path: {size, modified_at}}. Hidden files (`.x`, `_x`) are skipped by Spark, as the
    globs skip them on DuckDB. -#}
{% macro spark_raw_listing(pattern) -%}
    {%- do run_query('create or replace temporary view lw_raw_listing using binaryFile options ('
        ~ 'path ' ~ sql_string(raw_dir()) ~ ', recursiveFileLookup \'true\')') -%}
    {%- set sql -%}
        select
            file_path,
            length,
            cast(modificationTime as string) as modified_at
        from (
            select
                regexp_replace(path, '^file:(//)?', '') as file_path,
                length,
                modificationTime
            from lw_raw_listing
        ) as listed
        where file_path rlike {{ sql_string(glob_to_regex(pattern)) }}
        order by file_path
    {%- endset -%}
    {%- set files = {} -%}
    {%- for row in run_query(sql).rows -%}
        {%- do files.update({row[0]: {'size': row[1], 'modified_at': row[2]}}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#- A glob relative to the raw dir (`*`, `?`) as an anchored regular expression. -#}
{% macro glob_to_regex(pattern) -%}
    {%- set parts = [] -%}
    {%- for ch in pattern -%}
        {%- if ch == '*' %}{% do parts.append('[^/]*') %}
        {%- elif ch == '?' %}{% do parts.append('[^/]') %}
        {%- else %}{% do parts.append(glob_to_regex_literal(ch)) %}
        {%- endif -%}
    {%- endfor -%}
    {{ return('^' ~ glob_to_regex_literal(raw_dir() ~ '/') ~ parts | join('') ~ '$') }}
{%- endmacro %}

{% macro glob_to_regex_literal(text) -%}
    {%- set parts = [] -%}
    {%- for ch in text -%}
        {%- if ch in '.+()[]{}^$|*?\\' %}{% do parts.append('\\' ~ ch) %}
        {%- else %}{% do parts.append(ch) %}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join('')) }}
{%- endmacro %}

{% macro spark__raw_files(pattern) -%}
    {{ return(spark_raw_listing(pattern).keys() | list | sort) }}
{%- endmacro %}

{#- Fail on the first file of zero bytes (see assert_files_not_empty). -#}
{% macro spark_assert_files_not_empty(infos) -%}
    {%- for path in infos.keys() | list | sort if infos[path].size == 0 -%}
        {{ raw_file_error(path, 'empty file (0 bytes); deliver it again or remove it') }}
    {%- endfor -%}
{%- endmacro %}

{#- The columns every row of a file gets from the loader: its path and modification time. -#}
{% macro spark_file_columns(path, infos) -%}
    {{ sql_string(path) }} as source_file,
    cast({{ sql_string(infos[path].modified_at) }} as timestamp) as file_modified_at
{%- endmacro %}

{#- The first line of a delimited file, split: its delimiter and column names (BOM, quotes
    and case removed). Gzipped files are read through. -#}
{% macro spark__csv_header(path) -%}
    {%- set rows = run_query('select value from text.`' ~ path ~ '` limit 1').rows -%}
    {%- set line = (rows[0][0] if rows else '') | replace('\ufeff', '') -%}
    {%- set counts = [] -%}
    {%- for d in [',', '\t', ';', '|'] -%}{%- do counts.append((line.count(d), d)) -%}{%- endfor -%}
    {%- set delimiter = (counts | sort(reverse=true) | first)[1] if line else ',' -%}
    {%- set names = [] -%}
    {%- for c in line.split(delimiter) -%}
        {%- do names.append(c.strip().strip('"').strip().lower()) -%}
    {%- endfor -%}
    {{ return({'delimiter': delimiter, 'columns': names}) }}
{%- endmacro %}

{#- A temporary view over one delimited file, its columns named `names` by position (so a
    BOM or the header's case do not matter), every value text. -#}
{% macro spark_csv_view(view, path, names, delimiter=',', header=true, quote='"') -%}
    {%- set escape = quote if quote else '"' -%}
    {%- set cols = [] -%}
    {%- for n in names -%}{%- do cols.append('`' ~ n ~ '` string') -%}{%- endfor -%}
    {%- do run_query('create or replace temporary view ' ~ view ~ ' (' ~ cols | join(', ')
        ~ ') using csv options (path ' ~ sql_string(path)
        ~ ", header '" ~ ('true' if header else 'false') ~ "'"
        ~ ", sep " ~ sql_string(delimiter)
        ~ ", quote " ~ sql_string(quote) ~ ", escape " ~ sql_string(escape)
        ~ ", mode 'PERMISSIVE', encoding 'UTF-8')") -%}
{%- endmacro %}

{#- A view name unique to a file of a source. -#}
{% macro spark_view_name(prefix, path) -%}
    {{ return('lw_' ~ prefix ~ '_' ~ local_md5(path)[:12]) }}
{%- endmacro %}

{% macro spark_raw_source_select(node) -%}
    {%- set loader = node.meta.get('loader') -%}
    {%- set infos = spark_raw_listing(node.meta.get('files')) -%}
    {%- set files = infos.keys() | list | sort -%}
    {%- set columns = node.columns.keys() | list -%}
    {{ spark_assert_files_not_empty(infos) }}
    {%- if files | length == 0 -%}
        {{ return(empty_raw_select(columns, {
            'tracks': mpd_track_list_type(),
            'file_modified_at': 'timestamp',
        })) }}
    {%- elif loader == 'csv' -%}
        {{ return(spark_csv_raw_select(node, files, infos)) }}
    {%- elif loader == 'mpd_json' -%}
        {{ return(spark_mpd_raw_select(files, infos)) }}
    {%- elif loader == 'lastfm' -%}
        {{ return(spark_lastfm_raw_select(files, infos)) }}
    {%- elif loader == 'spotify_audio_features' -%}
        {{ return(spark_audio_features_raw_select(files, infos)) }}
    {%- elif loader == 'spotify_playlists' -%}
        {{ return(spark_playlists_raw_select(files, infos)) }}
    {%- elif loader == 'spotify_streaming_history' -%}
        {{ return(spark_streaming_history_raw_select(files, infos)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'source ' ~ node.source_name ~ '.' ~ node.name ~ ': unknown loader ' ~ loader) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_csv_raw_select(node, files, infos) -%}
    {%- set expected = raw_file_columns(node) -%}
    {%- for f in files -%}
        {%- set header = csv_header(f) -%}
        {{ assert_csv_columns(f, header, expected) }}
        {%- set view = spark_view_name(node.identifier, f) -%}
        {{ spark_csv_view(view, f, header.columns, header.delimiter) }}
        select
            {%- for c in expected %}
            `{{ c }}` as {{ c }},
            {%- endfor %}
            {%- for c, layout in csv_time_layouts(node, f, view, '`').items() %}
            {{ sql_string(layout) if layout else 'cast(null as string)' }} as {{ c }}_layout,
            {%- endfor %}
            {{ spark_file_columns(f, infos) }}
        from {{ view }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__mpd_track_list_type() -%}
    {{ return('array<struct<pos: string, artist_name: string, track_uri: string, '
        ~ 'artist_uri: string, track_name: string, album_uri: string, '
        ~ 'duration_ms: string, album_name: string>>') }}
{%- endmacro %}

{#- A temporary view over JSON documents (multiLine) with the given schema: one file, or
    the files of one folder as `folder/{a.json,b.json}`. -#}
{% macro spark_json_view(view, files, schema) -%}
    {%- set folder = files[0].rsplit('/', 1)[0] -%}
    {%- set names = [] -%}
    {%- for f in files -%}
        {%- if f.rsplit('/', 1)[0] != folder -%}
            {{ exceptions.raise_compiler_error('spark_json_view: files of several folders') }}
        {%- endif -%}
        {%- do names.append(f.rsplit('/', 1)[1]) -%}
    {%- endfor -%}
    {%- set path = files[0] if files | length == 1 else folder ~ '/{' ~ names | join(',') ~ '}' -%}
    {%- do run_query('create or replace temporary view ' ~ view ~ ' (' ~ schema
        ~ ') using json options (path ' ~ sql_string(path)
        ~ ", multiLine 'true', mode 'PERMISSIVE', encoding 'UTF-8')") -%}
{%- endmacro %}

{#- The path of the file a row was read from (in the projection right over the scan). -#}
{% macro spark_input_file() -%}
    regexp_replace(input_file_name(), '^file:(//)?', '')
{%- endmacro %}

{#- (source_file, file_modified_at) of the listed files, to join on. -#}
{% macro spark_file_times(infos) -%}
    (
        select *
        from values
            {%- for path in infos.keys() | list | sort %}
            ({{ sql_string(path) }}, timestamp {{ sql_string(infos[path].modified_at) }})
            {{- "," if not loop.last }}
            {%- endfor %}
        as listed (source_file, file_modified_at)
    ) as file_times
{%- endmacro %}

{% macro spark_mpd_raw_select(files, infos) -%}
    {%- set fields = ['name', 'collaborative', 'pid', 'modified_at', 'num_tracks', 'num_albums',
        'num_followers', 'num_edits', 'duration_ms', 'num_artists', 'description'] -%}
    {%- set field_types = [] -%}
    {%- for f in fields %}{% do field_types.append(f ~ ': string') %}{% endfor -%}
    {%- set schema = 'info struct<generated_on: string, slice: string, version: string>, '
        ~ 'playlists array<struct<' ~ field_types | join(', ') ~ ', tracks: '
        ~ mpd_track_list_type() ~ '>>' -%}
    {{ spark_json_view('lw_mpd_slices', files, schema) }}
    select
        slices.slice,
        {%- for c in ['pid', 'name', 'collaborative', 'modified_at', 'num_tracks',
            'num_albums', 'num_followers', 'num_edits', 'duration_ms', 'num_artists',
            'description', 'tracks'] %}
        slices.p.{{ c }} as {{ c }},
        {%- endfor %}
        slices.source_file,
        file_times.file_modified_at
    from (
        select
            info.slice as slice,
            explode(playlists) as p,
            {{ spark_input_file() }} as source_file
        from lw_mpd_slices
    ) as slices
    inner join {{ spark_file_times(infos) }} on slices.source_file = file_times.source_file
{%- endmacro %}

{% macro spark_audio_features_raw_select(files, infos) -%}
    {%- set fields = audio_feature_fields() -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- set csv_files = files_matching(files, '\.csv(\.gz)?$') -%}
    {%- set struct_fields = [] -%}
    {%- for f in fields %}{% do struct_fields.append(f ~ ': string') %}{% endfor -%}
    {%- set schema = 'audio_features array<struct<' ~ struct_fields | join(', ') ~ '>>, '
        ~ fields | join(' string, ') ~ ' string' -%}
    {%- set parts = [] -%}
    {%- if json_files %}
        {{ spark_json_view('lw_audio_features_json', json_files, schema) }}
        {%- set part -%}
        select
            {%- for c in fields %}
            documents.{{ c }},
            {%- endfor %}
            documents.source_format,
            documents.source_file,
            file_times.file_modified_at
        from (
            select
                {%- for c in fields %}
                {{ c }},
                {%- endfor %}
                'api_object' as source_format,
                {{ spark_input_file() }} as source_file
            from lw_audio_features_json
            where audio_features is null
            union all
            select
                {%- for c in fields %}
                a.{{ c }},
                {%- endfor %}
                'api_page' as source_format,
                source_file
            from (
                select
                    explode(audio_features) as a,
                    {{ spark_input_file() }} as source_file
                from lw_audio_features_json
            ) as pages
        ) as documents
        inner join {{ spark_file_times(infos) }} on documents.source_file = file_times.source_file
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endif -%}
    {%- for f in csv_files -%}
        {%- set header = csv_header(f) -%}
        {{ assert_csv_columns(f, header, fields) }}
        {%- set view = spark_view_name('afcsv', f) -%}
        {{ spark_csv_view(view, f, header.columns, header.delimiter) }}
        {%- set part -%}
        select
            {%- for c in fields %}
            `{{ c }}` as {{ c }},
            {%- endfor %}
            'csv' as source_format,
            {{ spark_file_columns(f, infos) }}
        from {{ view }}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {{ return(parts | join('\nunion all\n') if parts
        else empty_raw_select(fields + ['source_format', 'source_file', 'file_modified_at'],
            {'file_modified_at': 'timestamp'})) }}
{%- endmacro %}

{% macro spark_playlists_raw_select(files, infos) -%}
    {%- set item = 'struct<added_at: string, is_local: string, track: struct<'
        ~ 'id: string, uri: string, name: string, duration_ms: string, popularity: string, '
        ~ 'artists: array<struct<id: string, name: string, uri: string>>, '
        ~ 'album: struct<id: string, name: string, uri: string, release_date: string>>>' -%}
    {%- set schema = 'name string, items array<' ~ item ~ '>, tracks struct<items: array<'
        ~ item ~ '>>' -%}
    {#- Spark reads the Web API pages; the account-data export and Exportify CSVs are read
        on DuckDB only (README, Other engines) -#}
    {%- for f in files if not f.endswith('.json') -%}
        {{ raw_file_error(f, 'playlist CSVs (Exportify) are read on DuckDB only') }}
    {%- endfor -%}
    {{ spark_json_view('lw_own_playlists', files, schema) }}
    select
        pages.playlist_file_stem,
        coalesce(
            pages.name,
            nullif(regexp_replace(pages.playlist_file_stem,
                '(?i)[_ -]*(playlist[_ -]*)?tracks$', ''), ''),
            pages.playlist_file_stem
        ) as playlist_name,
        cast(pages.item_index + 1 as string) as item_position,
        pages.item.added_at as added_at,
        pages.item.is_local as is_local,
        pages.item.track.id as track_id,
        pages.item.track.uri as track_uri,
        pages.item.track.name as track_name,
        pages.item.track.duration_ms as duration_ms,
        pages.item.track.popularity as popularity,
        element_at(pages.item.track.artists, 1).id as artist_id,
        element_at(pages.item.track.artists, 1).name as artist_name,
        array_join(transform(pages.item.track.artists, a -> a.name), ', ') as artist_names,
        pages.item.track.album.id as album_id,
        pages.item.track.album.name as album_name,
        pages.item.track.album.release_date as album_release_date,
        {%- for c in spotify_playlist_feature_columns() %}
        cast(null as string) as {{ c }},
        {%- endfor %}
        'api_page' as source_format,
        pages.source_file,
        file_times.file_modified_at
    from (
        select
            name,
            regexp_extract(source_file, '([^/]+)[.]json$', 1) as playlist_file_stem,
            item_index,
            item,
            source_file
        from (
            select
                name,
                posexplode(coalesce(items, tracks.items)) as (item_index, item),
                {{ spark_input_file() }} as source_file
            from lw_own_playlists
        ) as exploded
    ) as pages
    inner join {{ spark_file_times(infos) }} on pages.source_file = file_times.source_file
{%- endmacro %}

{#- lastfm_user_from_filename, evaluated here on the file name (a literal on Spark). -#}
{% macro spark_lastfm_user(path) -%}
    {%- set name = modules.re.sub('(?i)\.(csv|tsv|txt|json)(\.gz)?$', '', path.split('/')[-1]) -%}
    {{ return(modules.re.sub('(?i)([_. -](scrobbles?|listens?|history|recent_?tracks|lastfm'
        ~ '|export|page_?[0-9]+|[0-9]{4}-?[0-9]{2}(-?[0-9]{2})?|\([0-9]+\)|copy))+$', '', name)) }}
{%- endmacro %}

{#- lastfm_user_from_filename in Spark SQL (regular expressions with inline flags). -#}
{% macro spark_lastfm_user_sql(path_expr) -%}
    regexp_replace(
        regexp_replace(
            regexp_extract({{ path_expr }}, '[^/]+$', 0),
            '(?i)[.](csv|tsv|txt|json)([.]gz)?$', ''
        ),
        '(?i)([_. -](scrobbles?|listens?|history|recent_?tracks|lastfm|export|page_?[0-9]+'
        || '|[0-9]{4}-?[0-9]{2}(-?[0-9]{2})?|\([0-9]+\)|copy))+$',
        ''
    )
{%- endmacro %}

{#- One file's rows in the common Last.fm layout: `exprs` maps our columns to SQL (absent
    columns are NULL). -#}
{% macro spark_lastfm_part(view, exprs, source_format, path, infos) -%}
    select
        {%- for c in lastfm_columns() %}
        cast({{ exprs.get(c) or 'null' }} as string) as {{ c }},
        {%- endfor %}
        '{{ source_format }}' as source_format,
        {{ spark_file_columns(path, infos) }}
    from {{ view }}
{%- endmacro %}

{% macro spark_lastfm_raw_select(files, infos) -%}
    {%- set iso_z = '^[0-9]{4}-[0-9]{2}-[0-9]{2}t[0-9:]{8}z?$' -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- set parts = [] -%}
    {%- for f in files if f not in json_files -%}
        {%- set header = csv_header(f) -%}
        {%- set mapping = lastfm_header_mapping(header.columns) -%}
        {%- set times = lastfm_time_candidates(header.columns) -%}
        {%- set view = spark_view_name('lastfm', f) -%}
        {%- set user = sql_string(spark_lastfm_user(f)) -%}
        {%- if mapping.artist_name and mapping.track_name and times -%}
            {{ spark_csv_view(view, f, header.columns, header.delimiter) }}
            {%- set quoted = [] -%}
            {%- for t in times %}{% do quoted.append('`' ~ t ~ '`') %}{% endfor -%}
            {%- set time = lastfm_time_layout(f, view, quoted) -%}
            {%- set exprs = {} -%}
            {%- for c in lastfm_columns() if mapping[c] -%}
                {%- do exprs.update({c: '`' ~ mapping[c] ~ '`'}) -%}
            {%- endfor -%}
            {%- do exprs.update({'played_at_epoch': none, 'played_at_text': time.column,
                'played_at_layout': sql_string(time.layout) if time.layout else none}) -%}
            {%- if not mapping.user_name %}{% do exprs.update({'user_name': user}) %}{% endif -%}
            {%- do parts.append(spark_lastfm_part(view, exprs, 'csv_with_header', f, infos)) -%}
        {%- elif header.columns | length == 6 and header.delimiter == '\t'
            and modules.re.match(iso_z, header.columns[1]) -%}
            {{ spark_csv_view(view, f, ['user_name', 'played_at_text', 'artist_mbid',
                'artist_name', 'track_mbid', 'track_name'], '\t', header=false, quote='') }}
            {%- set time = lastfm_time_layout(f, view, ['played_at_text']) -%}
            {%- set exprs = {'played_at_layout': sql_string(time.layout) if time.layout else none} -%}
            {%- for c in ['user_name', 'played_at_text', 'artist_mbid', 'artist_name',
                'track_mbid', 'track_name'] %}{% do exprs.update({c: c}) %}{% endfor -%}
            {%- do parts.append(spark_lastfm_part(view, exprs, 'lastfm_1k_tsv', f, infos)) -%}
        {%- elif lastfm_is_plain_4(header) -%}
            {{ spark_csv_view(view, f, ['artist_name', 'album_name', 'track_name',
                'played_at_text'], ',', header=false) }}
            {%- set time = lastfm_time_layout(f, view, ['played_at_text']) -%}
            {%- set exprs = {'user_name': user,
                'played_at_layout': sql_string(time.layout) if time.layout else none} -%}
            {%- for c in ['artist_name', 'album_name', 'track_name', 'played_at_text'] -%}
                {%- do exprs.update({c: c}) -%}
            {%- endfor -%}
            {%- do parts.append(spark_lastfm_part(view, exprs, 'artist_album_track_date', f,
                infos)) -%}
        {%- else -%}
            {{ lastfm_unknown_layout_error(f, header) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set text_struct = 'struct<mbid: string, `#text`: string, name: string>' -%}
    {%- set schema = 'recenttracks struct<track: array<struct<artist: ' ~ text_struct
        ~ ', album: ' ~ text_struct ~ ', name: string, mbid: string, '
        ~ 'date: struct<uts: string, `#text`: string>, '
        ~ '`@attr`: struct<nowplaying: string>>>, `@attr`: struct<user: string, page: string>>' -%}
    {%- if json_files -%}
        {{ spark_json_view('lw_lastfm_json', json_files, schema) }}
        {%- set pages -%}
        (
            select
                pages.*,
                file_times.file_modified_at
            from (
                select
                    recenttracks.`@attr`.user as page_user_name,
                    explode(recenttracks.track) as t,
                    {{ spark_input_file() }} as source_file
                from lw_lastfm_json
            ) as pages
            inner join {{ spark_file_times(infos) }} on pages.source_file = file_times.source_file
        ) as pages
        {%- endset -%}
        {%- set part -%}
        select
            cast(coalesce(page_user_name, {{ spark_lastfm_user_sql('source_file') }}) as string)
                as user_name,
            coalesce(t.artist.`#text`, t.artist.name) as artist_name,
            t.artist.mbid as artist_mbid,
            coalesce(t.album.`#text`, t.album.name) as album_name,
            t.album.mbid as album_mbid,
            t.name as track_name,
            t.mbid as track_mbid,
            t.date.uts as played_at_epoch,
            coalesce(
                t.date.`#text`,
                case when t.`@attr`.nowplaying = 'true' then 'now playing' end
            ) as played_at_text,
            cast(null as string) as played_at_layout,
            'recenttracks_json' as source_format,
            source_file,
            file_modified_at
        from {{ pages }}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endif %}
    {{ return(parts | join('\nunion all\n')) }}
{%- endmacro %}

{#- Spotify's own listening history (see spotify_streaming_history_raw_select): a JSON
    reader over bare arrays gives one row per item; numbers and booleans read as text. -#}
{% macro spark_streaming_history_raw_select(files, infos) -%}
    {%- set fields = spotify_history_fields() -%}
    {%- set ours = [] -%}
    {%- for c in fields.values() if c not in ours %}{% do ours.append(c) %}{% endfor -%}
    {%- set schema = [] -%}
    {%- for f in fields %}{% do schema.append('`' ~ f ~ '` string') %}{% endfor -%}
    {{ spark_json_view('lw_streaming_history', files, schema | join(', ')) }}
    select
        {%- for c in ours %}
        {%- set sources = [] -%}
        {%- for f, o in fields.items() if o == c -%}
            {% do sources.append('items.`' ~ f ~ '`') %}
        {%- endfor %}
        {%- if c == 'user_name' %}
        coalesce(
            items.username, {{ spotify_history_user_from_filename('items.source_file') }}
        ) as user_name,
        {%- else %}
        coalesce({{ sources | join(', ') }}, cast(null as string)) as {{ c }},
        {%- endif %}
        {%- endfor %}
        case
            when items.`endTime` is not null then 'account_data'
            when items.username is not null then 'extended_endsong'
            else 'extended'
        end as source_format,
        items.source_file,
        file_times.file_modified_at
    from (
        select
            *,
            {{ spark_input_file() }} as source_file
        from lw_streaming_history
    ) as items
    inner join {{ spark_file_times(infos) }} on items.source_file = file_times.source_file
{%- endmacro %}
