{#- Readers for the JSON sources. Every field is read as text with an explicit schema,
    so a missing field becomes NULL (and a reject in staging) rather than a schema error;
    malformed or truncated JSON fails with DuckDB's message, which names the file. -#}

{#- DuckDB reads a JSON document whole: its object-size limit must exceed the largest file. -#}
{% macro max_file_size(files) -%}
    {%- set sql = 'select max(size) from read_blob(' ~ sql_string_list(files) ~ ')' -%}
    {{ return(run_query(sql).rows[0][0] | int) }}
{%- endmacro %}

{#- The type of an MPD playlist's `tracks`: a list of entries, every field text. -#}
{% macro mpd_track_list_type() -%}
    {{ return(adapter.dispatch('mpd_track_list_type')()) }}
{%- endmacro %}

{% macro duckdb__mpd_track_list_type() -%}
    {{ return('struct(pos varchar, artist_name varchar, track_uri varchar, '
        ~ 'artist_uri varchar, track_name varchar, album_uri varchar, '
        ~ 'duration_ms varchar, album_name varchar)[]') }}
{%- endmacro %}

{#- Million Playlist Dataset slices: one row per playlist, its tracks as a list. -#}
{% macro mpd_raw_select(files) -%}
    {%- set playlist = 'struct(name varchar, collaborative varchar, pid varchar, '
        ~ 'modified_at varchar, num_tracks varchar, num_albums varchar, '
        ~ 'num_followers varchar, num_edits varchar, duration_ms varchar, '
        ~ 'num_artists varchar, description varchar, tracks ' ~ mpd_track_list_type() ~ ')' -%}
    with {{ file_times_cte(files) }},
    slices as (
        select
            filename,
            info.slice as slice,
            unnest(playlists) as p
        from read_json(
            {{ sql_string_list(files) }},
            format = 'auto',
            maximum_object_size = {{ max_file_size(files) + 1048576 }},
            filename = true,
            columns = {
                info: 'struct(generated_on varchar, slice varchar, version varchar)',
                playlists: '{{ playlist }}[]'
            }
        )
    )
    select
        slices.slice,
        slices.p.pid as pid,
        slices.p.name as name,
        slices.p.collaborative as collaborative,
        slices.p.modified_at as modified_at,
        slices.p.num_tracks as num_tracks,
        slices.p.num_albums as num_albums,
        slices.p.num_followers as num_followers,
        slices.p.num_edits as num_edits,
        slices.p.duration_ms as duration_ms,
        slices.p.num_artists as num_artists,
        slices.p.description as description,
        slices.p.tracks as tracks,
        slices.filename as source_file,
        file_times.file_modified_at
    from slices
    inner join file_times on slices.filename = file_times.source_file
{%- endmacro %}

{#- Web API audio-features: one object per file, or {"audio_features": [...]} pages,
    plus CSV files with the same fields as columns. -#}
{% macro audio_feature_fields() -%}
    {{ return(['id', 'uri', 'danceability', 'energy', 'key', 'loudness', 'mode',
        'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence',
        'tempo', 'duration_ms', 'time_signature']) }}
{%- endmacro %}

{% macro audio_features_raw_select(files) -%}
    {%- set fields = audio_feature_fields() -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- set csv_files = files_matching(files, '\.csv(\.gz)?$') -%}
    {%- set struct_fields = [] -%}
    {%- for f in fields %}{% do struct_fields.append(f ~ ' varchar') %}{% endfor -%}
    {%- set feature_struct = 'struct(' ~ struct_fields | join(', ') ~ ')' -%}
    with {{ file_times_cte(files) }},
    {%- if json_files %}
    {#- every JSON file is parsed once; objects and pages are told apart afterwards #}
    json_documents as materialized (
        select *
        from read_json(
            {{ sql_string_list(json_files) }},
            format = 'auto',
            filename = true,
            maximum_object_size = {{ max_file_size(json_files) + 1048576 }},
            columns = {
                audio_features: '{{ feature_struct }}[]',
                {%- for f in fields %}
                {{ f }}: 'varchar'{{ "," if not loop.last }}
                {%- endfor %}
            }
        )
    ),
    {%- endif %}
    parts as (
        select
            null as source_file,
            null as source_format,
            {%- for f in fields %}
            null as {{ f }}{{ "," if not loop.last }}
            {%- endfor %}
        where 1 = 0
        {%- if json_files %}
        union all by name
        select
            j.filename as source_file,
            'api_object' as source_format,
            {%- for f in fields %}
            j.{{ f }}{{ "," if not loop.last }}
            {%- endfor %}
        from json_documents as j
        where j.audio_features is null
        union all by name
        select
            j.filename as source_file,
            'api_page' as source_format,
            unnest(j.audio_features, recursive := true)
        from json_documents as j
        {%- endif %}
        {%- if csv_files %}
        {%- for f in csv_files -%}
            {{ assert_csv_columns(f, csv_header(f), fields) }}
        {%- endfor %}
        union all by name
        select
            c.filename as source_file,
            'csv' as source_format,
            {%- for f in fields %}
            c."{{ f }}" as {{ f }}{{ "," if not loop.last }}
            {%- endfor %}
        from read_csv(
            {{ sql_string_list(csv_files) }},
            header = true,
            all_varchar = true,
            union_by_name = true,
            null_padding = true,
            filename = true
        ) as c
        {%- endif %}
    )
    select
        {%- for f in fields %}
        cast(parts.{{ f }} as varchar) as {{ f }},
        {%- endfor %}
        cast(parts.source_format as varchar) as source_format,
        cast(parts.source_file as varchar) as source_file,
        file_times.file_modified_at
    from parts
    inner join file_times on parts.source_file = file_times.source_file
{%- endmacro %}

{#- The user's own playlists, in the layouts people export them:
      * Web API playlist-tracks pages (or playlist objects with a name and a `tracks`
        page), named by the file where the page has no name;
      * Spotify's account-data export `{"playlists": [{name, items[{track{trackName,
        artistName, albumName, trackUri}}]}]}`: every playlist under its own name;
      * Exportify CSVs (classic `Track URI,…,Added At`, and 2024's `Track ID,…` with audio
        features), one playlist per file named by the file.
    A JSON document in none of these layouts stops the build with one line naming it. -#}
{% macro spotify_playlist_feature_columns() -%}
    {{ return(['danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness',
        'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo',
        'time_signature']) }}
{%- endmacro %}

{% macro spotify_playlists_raw_select(files) -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- set csv_files = files_matching(files, '\.csv(\.gz)?$') -%}
    {%- for f in files if f not in json_files and f not in csv_files -%}
        {{ raw_file_error(f, 'not a playlist export we read (expected .json: Web API pages '
            ~ 'or the account-data Playlist1.json; or .csv: Exportify)') }}
    {%- endfor -%}
    {%- set item = 'struct(added_at varchar, is_local varchar, track struct('
        ~ 'id varchar, uri varchar, name varchar, duration_ms varchar, popularity varchar, '
        ~ 'artists struct(id varchar, name varchar, uri varchar)[], '
        ~ 'album struct(id varchar, name varchar, uri varchar, release_date varchar)))' -%}
    {%- set account_item = 'struct(track struct(trackName varchar, artistName varchar, '
        ~ 'albumName varchar, trackUri varchar), addedDate varchar)' -%}
    {%- set stem = "regexp_extract(filename, '([^/\\\\]+)\\.(json|csv)(\\.gz)?$', 1)" -%}
    with {{ file_times_cte(files) }},
    parts as (
        select
            {%- for c in spotify_playlist_raw_columns() %}
            cast(null as varchar) as {{ c }},
            {%- endfor %}
            cast(null as varchar) as source_file
        where 1 = 0
        {%- if json_files %}
        {%- set documents -%}
            read_json(
                {{ sql_string_list(json_files) }},
                format = 'auto',
                filename = true,
                maximum_object_size = {{ max_file_size(json_files) + 1048576 }},
                columns = {
                    name: 'varchar',
                    items: '{{ item }}[]',
                    tracks: 'struct(items {{ item }}[])',
                    playlists: 'struct(name varchar, items {{ account_item }}[])[]'
                }
            )
        {%- endset %}
        {%- set unknown = run_query('select filename from ' ~ documents ~ ' where items is null'
            ~ ' and tracks.items is null and playlists is null limit 1').rows %}
        {%- if unknown -%}
            {{ raw_file_error(unknown[0][0], 'not a playlist layout we know: a JSON document '
                ~ 'with neither `items` (a Web API playlist-tracks page), `tracks.items` nor '
                ~ '`playlists` (the account-data export)') }}
        {%- endif %}
        union all by name
        select
            pages.playlist_file_stem,
            pages.playlist_name,
            cast(pages.item_position as varchar) as item_position,
            pages.item.added_at as added_at,
            pages.item.is_local as is_local,
            pages.item.track.id as track_id,
            pages.item.track.uri as track_uri,
            pages.item.track.name as track_name,
            pages.item.track.duration_ms as duration_ms,
            pages.item.track.popularity as popularity,
            pages.item.track.artists[1].id as artist_id,
            pages.item.track.artists[1].name as artist_name,
            array_to_string(list_transform(pages.item.track.artists, lambda a: a.name), ', ')
                as artist_names,
            pages.item.track.album.id as album_id,
            pages.item.track.album.name as album_name,
            pages.item.track.album.release_date as album_release_date,
            'api_page' as source_format,
            pages.filename as source_file
        from (
            select
                filename,
                coalesce(
                    name,
                    {#- `indie_playlist_tracks.json` names the playlist `indie` -#}
                    nullif(regexp_replace(
                        {{ stem }}, '[_ -]*(playlist[_ -]*)?tracks$', '', 'i'
                    ), ''),
                    {{ stem }}
                ) as playlist_name,
                {{ stem }} as playlist_file_stem,
                unnest(coalesce(items, tracks.items)) as item,
                generate_subscripts(coalesce(items, tracks.items), 1) as item_position
            from {{ documents }}
            where playlists is null
        ) as pages
        union all by name
        select
            account.playlist.name as playlist_file_stem,
            account.playlist.name as playlist_name,
            cast(account.item_position as varchar) as item_position,
            account.item.addedDate as added_at,
            split_part(account.item.track.trackUri, ':', 3) as track_id,
            account.item.track.trackUri as track_uri,
            account.item.track.trackName as track_name,
            account.item.track.artistName as artist_name,
            account.item.track.artistName as artist_names,
            account.item.track.albumName as album_name,
            'account_data' as source_format,
            account.filename as source_file
        from (
            select
                playlists.filename,
                playlists.playlist,
                unnest(playlists.playlist.items) as item,
                generate_subscripts(playlists.playlist.items, 1) as item_position
            from (
                select
                    filename,
                    unnest(playlists) as playlist
                from {{ documents }}
                where playlists is not null
            ) as playlists
        ) as account
        {%- endif %}
        {%- for f in csv_files %}
        {%- set header = csv_header(f) -%}
        {%- set names = [] -%}
        {%- for c in header.columns %}{% do names.append(c | trim) %}{% endfor -%}
        {%- set has = {} -%}
        {%- for c in names %}{% do has.update({c: true}) %}{% endfor -%}
        {%- if not (has['track uri'] or has['track id']) or not has['track name'] -%}
            {{ raw_file_error(f, 'not an Exportify playlist CSV: its header lacks '
                ~ '"Track URI" or "Track ID", or "Track Name" (header has: '
                ~ names | join(', ') ~ ')') }}
        {%- endif %}
        {%- set sep = "', '" if has['artist uri(s)'] else "','" %}
        union all by name
        select
            {{ stem }} as playlist_file_stem,
            {{ stem }} as playlist_name,
            cast(row_number() over () as varchar) as item_position,
            "added at" as added_at,
            {%- if has['track uri'] %}
            split_part("track uri", ':', 3) as track_id,
            "track uri" as track_uri,
            {%- else %}
            "track id" as track_id,
            'spotify:track:' || "track id" as track_uri,
            {%- endif %}
            "track name" as track_name,
            {{ '"track duration (ms)"' if has['track duration (ms)'] else '"duration (ms)"'
                if has['duration (ms)'] else 'null' }} as duration_ms,
            {{ '"popularity"' if has['popularity'] else 'null' }} as popularity,
            {{ "split_part(split_part(\"artist uri(s)\", ',', 1), ':', 3)"
                if has['artist uri(s)'] else 'null' }} as artist_id,
            split_part("artist name(s)", {{ sep }}, 1) as artist_name,
            "artist name(s)" as artist_names,
            {{ "split_part(\"album uri\", ':', 3)" if has['album uri'] else 'null' }} as album_id,
            "album name" as album_name,
            {{ '"album release date"' if has['album release date'] else '"release date"'
                if has['release date'] else 'null' }} as album_release_date,
            {%- for c in spotify_playlist_feature_columns() %}
            {%- set col = c | replace('_', ' ') %}
            {{ '"' ~ col ~ '"' if has[col] else 'null' }} as {{ c }},
            {%- endfor %}
            'exportify_csv' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string(f) }},
            header = true,
            all_varchar = true,
            null_padding = true,
            filename = true,
            names = {{ sql_string_list(names) }}
        )
        {%- endfor %}
    )
    select
        {%- for c in spotify_playlist_raw_columns() %}
        cast(parts.{{ c }} as varchar) as {{ c }},
        {%- endfor %}
        parts.source_file,
        file_times.file_modified_at
    from parts
    inner join file_times on parts.source_file = file_times.source_file
{%- endmacro %}

{#- The columns every playlist layout is mapped to (text; staging types them). -#}
{% macro spotify_playlist_raw_columns() -%}
    {{ return(['playlist_file_stem', 'playlist_name', 'item_position', 'added_at', 'is_local',
        'track_id', 'track_uri', 'track_name', 'duration_ms', 'popularity', 'artist_id',
        'artist_name', 'artist_names', 'album_id', 'album_name', 'album_release_date']
        + spotify_playlist_feature_columns() + ['source_format']) }}
{%- endmacro %}

{#- The user a Spotify streaming-history file name implies: the name without the export's
    own name and numbering. `jonasmika_StreamingHistory0.json`, `jonasmika_endsong_2.json`,
    `jonasmika_Streaming_History_Audio_2021-2023_1.json` -> jonasmika. A file named only
    as Spotify names it (`endsong_0.json`, `StreamingHistory0.json`) gives the user of
    var `spotify_history_default_user` (`me`). One expression for DuckDB and Spark
    (inline `(?i)`, explicit group index). -#}
{% macro spotify_history_user_from_filename(path_expr) -%}
    coalesce(
        nullif(substr(regexp_replace(
            concat('_', regexp_replace(
                regexp_extract({{ path_expr }}, '[^/\\\\]+$', 0), '(?i)[.]json$', ''
            )),
            '(?i)([_. -](endsong|streaming_?history|audio|video|music|podcasts?'
            || '|[0-9]{4}-[0-9]{4}|[0-9]+|\([0-9]+\)|copy)[0-9]*)+$',
            ''
        ), 2), ''),
        {{ sql_string(var('spotify_history_default_user', 'me')) }}
    )
{%- endmacro %}

{#- The fields of Spotify's streaming-history items, both layouts: {JSON field: our column}. -#}
{% macro spotify_history_fields() -%}
    {{ return({
        'ts': 'ended_at', 'endTime': 'ended_at',
        'username': 'user_name',
        'ms_played': 'ms_played', 'msPlayed': 'ms_played',
        'spotify_track_uri': 'track_uri',
        'master_metadata_track_name': 'track_name', 'trackName': 'track_name',
        'master_metadata_album_artist_name': 'artist_name', 'artistName': 'artist_name',
        'master_metadata_album_album_name': 'album_name',
        'episode_name': 'episode_name', 'episode_show_name': 'episode_show_name',
        'spotify_episode_uri': 'episode_uri',
        'audiobook_title': 'audiobook_title', 'audiobook_uri': 'audiobook_uri',
        'platform': 'platform', 'conn_country': 'conn_country',
        'reason_start': 'reason_start', 'reason_end': 'reason_end',
        'shuffle': 'shuffle', 'skipped': 'skipped', 'offline': 'offline',
        'offline_timestamp': 'offline_timestamp', 'incognito_mode': 'incognito_mode',
    }) }}
{%- endmacro %}

{#- Spotify's own listening history: bare JSON arrays of play items, the extended layout
    (`ts`, `ms_played`, `master_metadata_*`, …; with `username` in the old endsong files)
    and the account-data short layout (`endTime`, `artistName`, `trackName`, `msPlayed`),
    any mix per folder. Every field is read as text (numbers and booleans as their JSON
    text); the user is `username`, else the file name. -#}
{% macro spotify_streaming_history_raw_select(files) -%}
    {%- set fields = spotify_history_fields() -%}
    {%- set ours = [] -%}
    {%- for c in fields.values() if c not in ours %}{% do ours.append(c) %}{% endfor -%}
    with {{ file_times_cte(files) }},
    items as (
        select *
        from read_json(
            {{ sql_string_list(files) }},
            format = 'array',
            filename = true,
            maximum_object_size = {{ max_file_size(files) + 1048576 }},
            columns = {
                {%- for f in fields %}
                "{{ f }}": 'varchar'{{ "," if not loop.last }}
                {%- endfor %}
            }
        )
    ),
    mapped as (
        select
            {%- for c in ours %}
            {%- set sources = [] -%}
            {%- for f, o in fields.items() if o == c -%}
                {% do sources.append('items."' ~ f ~ '"') %}
            {%- endfor %}
            {%- if c == 'user_name' %}
            coalesce(
                items.username, {{ spotify_history_user_from_filename('items.filename') }}
            ) as user_name,
            {%- elif sources | length > 1 %}
            coalesce({{ sources | join(', ') }}) as {{ c }},
            {%- else %}
            {{ sources[0] }} as {{ c }},
            {%- endif %}
            {%- endfor %}
            case
                when items."endTime" is not null then 'account_data'
                when items.username is not null then 'extended_endsong'
                else 'extended'
            end as source_format,
            items.filename as source_file
        from items
    )
    select
        mapped.*,
        file_times.file_modified_at
    from mapped
    inner join file_times on mapped.source_file = file_times.source_file
{%- endmacro %}
