{{- define "pacbot.labels" -}}
app.kubernetes.io/part-of: pacbot
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "pacbot.serviceUrls" -}}
{{- $urls := dict -}}
{{- range $name, $svc := .Values.services -}}
{{- $_ := set $urls $name (printf "http://%s-%s:%v" $.Release.Name $name $svc.port) -}}
{{- end -}}
{{- toJson $urls -}}
{{- end -}}

{{- /* Where the notification Secret (notify.existingSecret) is mounted. */ -}}
{{- define "pacbot.notifyDir" -}}/etc/pacbot/notify{{- end -}}

{{- /* True (non-empty) when service $name sends notifications and a notification Secret is named;
takes (list $ $name). */ -}}
{{- define "pacbot.mountsNotifySecret" -}}
{{- $root := index . 0 -}}
{{- if and $root.Values.notify.existingSecret (has (index . 1) $root.Values.notify.services) -}}true{{- end -}}
{{- end -}}

{{- /* Refuse settings the services would refuse at start, with the reason, at render time. */ -}}
{{- define "pacbot.validateNotify" -}}
{{- $n := .Values.notify -}}
{{- $keys := $n.secretKeys -}}
{{- if and (or $keys.smtpPassword $keys.webhookSecret $keys.slackWebhookUrl) (not $n.existingSecret) -}}
{{- fail "notify.secretKeys names keys but notify.existingSecret names no Secret to read them from" -}}
{{- end -}}
{{- if and $n.webhookUrl (not $keys.webhookSecret) -}}
{{- fail "notify.webhookUrl is set but notify.secretKeys.webhookSecret is not: every webhook call is signed (X-PacBot-Signature), so name the key of its secret in notify.existingSecret" -}}
{{- end -}}
{{- if and $n.smtp.ssl $n.smtp.starttls -}}
{{- fail "notify.smtp.ssl and notify.smtp.starttls exclude each other: choose ssl (port 465) or starttls (port 587)" -}}
{{- end -}}
{{- end -}}
