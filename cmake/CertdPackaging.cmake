# Install rules and the Debian package (`cpack -G DEB` in the build folder):
#   /usr/bin/certd
#   /usr/share/certd/examples       the demo school: config, rules, templates, pictures
#   /usr/share/certd/FONTS.md       which Debian packages the templates' fonts come from
#   /usr/share/doc/certd/           README.md and the notes of docs/
#   /etc/certd/certd.yaml, rules/   a commented production config (conffiles)
#   /var/lib/certd                  made by postinst, with the `certd` system user
#   /lib/systemd/system/certd.service   Type=notify, hardened; not enabled until configured
include(GNUInstallDirs)

install(TARGETS certd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/certd/examples
        PATTERN "make_backgrounds.py" EXCLUDE)
install(FILES packaging/FONTS.md DESTINATION ${CMAKE_INSTALL_DATADIR}/certd)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/certd.yaml DESTINATION /etc/certd)
install(DIRECTORY examples/rules/ DESTINATION /etc/certd/rules)
install(FILES packaging/certd.service DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME certd)
set(CPACK_PACKAGE_VENDOR "certd")
set(CPACK_PACKAGE_CONTACT "certd maintainers <certd@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "issues signed PDF certificates from a Moodle site, exactly once")
set(CPACK_PACKAGE_DESCRIPTION
    "certd learns from Moodle's web services (polling, or the local_certd plugin's signed webhooks) that students completed a course or mastered a level's skills, evaluates YAML rules, renders signed PDF certificates with a QR code, writes them back to Moodle and to its portal, and e-mails students and families.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Besides the shared libraries dpkg-shlibdeps finds: the postinst's
# adduser, and the fonts the shipped templates print with.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, fonts-noto-core, fonts-ipafont-gothic, fonts-nanum")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
