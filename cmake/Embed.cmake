# sluice_embed(OUTPUT out.cc FILES a b c): compiles files into the binary as
# sluice::embedded::Find("name") lookups, so the server needs nothing on disk.
function(sluice_embed)
  cmake_parse_arguments(EMBED "" "OUTPUT" "FILES" ${ARGN})
  string(REPLACE ";" "|" files_arg "${EMBED_FILES}")
  add_custom_command(
    OUTPUT ${EMBED_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${EMBED_OUTPUT} "-DFILES=${files_arg}"
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${EMBED_FILES} ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "Embedding configuration and migrations"
    VERBATIM)
endfunction()
