{{- define "commonlib.managedBy" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "commonlib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  labels:
    {{- include "commonlib.managedBy" .top | nindent 4 }}
data:
{{- end -}}
