# Settings every certd target links: language level, project-wide
# definitions, and the warning set (after ccache's StandardWarnings).

add_library(certd_settings INTERFACE)
target_compile_features(certd_settings INTERFACE cxx_std_17)
# cpprestsdk's U() macro breaks fmt (and so spdlog) in any translation unit
# that sees both; turning it off project-wide keeps includes order-free.
target_compile_definitions(certd_settings INTERFACE _TURN_OFF_PLATFORM_STRING)
target_include_directories(certd_settings INTERFACE ${PROJECT_SOURCE_DIR})

add_library(certd_warnings INTERFACE)
target_compile_options(certd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  $<$<BOOL:${CERTD_WERROR}>:-Werror>)

# certd_module(NAME SOURCES...): the one library of a module, with settings
# and warnings attached. Dependencies go in the module's own
# target_link_libraries call.
function(certd_module name)
  add_library(certd_${name} STATIC ${ARGN})
  target_link_libraries(certd_${name} PUBLIC certd_settings PRIVATE certd_warnings)
endfunction()
