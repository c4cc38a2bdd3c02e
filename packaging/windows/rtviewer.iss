; Inno Setup 6 script: installs the PyInstaller one-folder bundle (dist\rtviewer) for the
; current user and registers "Open with rtviewer" on folders and .dcm files -- the same keys
; as rtviewer.reg.template, under HKCU\Software\Classes, removed again on uninstall.
;
; Build on Windows after `python packaging\build_bundle.py`:
;   iscc /DAppVersion=0.1.0 packaging\windows\rtviewer.iss
;
; References:
;   Inno Setup Help, "[Registry] section"   https://jrsoftware.org/ishelp/index.php?topic=registrysection
;   Inno Setup Help, "[Setup]: PrivilegesRequired" (lowest = per-user, no UAC prompt)
;                                           https://jrsoftware.org/ishelp/index.php?topic=setup_privilegesrequired
;   Inno Setup Help, "[Setup]: ChangesAssociations" (tells Explorer to reload associations)
;   Microsoft, "Verbs and File Associations" https://learn.microsoft.com/en-us/windows/win32/shell/fa-verbs
;   Microsoft, "File Types"                  https://learn.microsoft.com/en-us/windows/win32/shell/fa-file-types
;   Microsoft, "Programmatic Identifiers"    https://learn.microsoft.com/en-us/windows/win32/shell/fa-progids

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E0C4B2A-7A8E-4C39-9D6B-52B1E7C4A1F0}
AppName=rtviewer
AppVersion={#AppVersion}
AppPublisher=rtviewer developers
DefaultDirName={autopf}\rtviewer
DefaultGroupName=rtviewer
PrivilegesRequired=lowest
ChangesAssociations=yes
ArchitecturesInstallIn64BitMode=x64compatible
ArchitecturesAllowed=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=rtviewer.ico
UninstallDisplayIcon={app}\rtviewerw.exe
OutputDir=..\..\dist
OutputBaseFilename=rtviewer-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\rtviewer\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\rtviewer"; Filename: "{app}\rtviewerw.exe"
Name: "{userdesktop}\rtviewer"; Filename: "{app}\rtviewerw.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked
Name: "dcmdefault"; Description: "Open .dcm files with rtviewer by default"

[Registry]
; Right-click a folder -> "Open with rtviewer".
Root: HKCU; Subkey: "Software\Classes\Directory\shell\rtviewer"; ValueType: string; ValueName: ""; ValueData: "Open with rtviewer"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Directory\shell\rtviewer"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\rtviewerw.exe"",0"
Root: HKCU; Subkey: "Software\Classes\Directory\shell\rtviewer\command"; ValueType: string; ValueName: ""; ValueData: """{app}\rtviewerw.exe"" ""%1"""
; ProgID for DICOM files.
Root: HKCU; Subkey: "Software\Classes\rtviewer.dicom"; ValueType: string; ValueName: ""; ValueData: "DICOM file"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\rtviewer.dicom\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\rtviewerw.exe"",0"
Root: HKCU; Subkey: "Software\Classes\rtviewer.dicom\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\rtviewerw.exe"" ""%1"""
; .dcm: always offered under "Open with"; the default only when the user ticks the task.
Root: HKCU; Subkey: "Software\Classes\.dcm\OpenWithProgids"; ValueType: string; ValueName: "rtviewer.dicom"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.dcm"; ValueType: string; ValueName: ""; ValueData: "rtviewer.dicom"; Flags: uninsdeletevalue; Tasks: dcmdefault
Root: HKCU; Subkey: "Software\Classes\.dcm"; ValueType: string; ValueName: "Content Type"; ValueData: "application/dicom"; Flags: createvalueifdoesntexist
; The application entry, for a friendly name in "Open with".
Root: HKCU; Subkey: "Software\Classes\Applications\rtviewerw.exe"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "rtviewer"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Applications\rtviewerw.exe\SupportedTypes"; ValueType: string; ValueName: ".dcm"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\Applications\rtviewerw.exe\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\rtviewerw.exe"" ""%1"""

[Run]
Filename: "{app}\rtviewerw.exe"; Description: "Start rtviewer"; Flags: nowait postinstall skipifsilent
