REM fixture: Windows 2000 Resource Kit ipsecpol commands run on FE1, hand-written (see rules/testdata/README.md)
ipsecpol -w REG -p "FE-BE" -r "Protect Exchange" -f 0=10.0.0.50:110:TCP 0=10.0.0.50:143:TCP 0=10.0.0.50:80:TCP -n ESP[3DES,SHA1] -x
